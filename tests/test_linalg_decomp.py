"""tf.linalg.cholesky/qr/svd/eigh/eigvalsh/triangular_solve and tf.math.reduce_std/
reduce_variance against TF 2.21 (recorded by tools/record_cases.py from
tests/cases_linalg_decomp.py), plus the TF1 spellings."""
import numpy as np
import pytest

import tfcases

pytestmark = pytest.mark.mode("both")

CASES = tfcases.load_cases("linalg_decomp")
REC = tfcases.recorded("linalg_decomp")["cases"]


def test_every_case_was_recorded():
    assert sorted(REC) == tfcases.case_names(CASES)


@pytest.mark.parametrize("name", tfcases.case_names(CASES))
def test_case(tf2, tmp_path, name):
    got = tfcases.normalize(getattr(CASES, "case_" + name)(tf2, str(tmp_path)))
    tfcases.compare(got, REC[name], rtol=1e-5, atol=1e-5)


def test_v1_names_in_a_session(tf1):
    a = np.array([[4., 1.], [1., 3.]])
    x = tf1.placeholder(tf1.float64, [None, 2])
    l = tf1.cholesky(x)
    s = tf1.svd(x, compute_uv=False)
    e, v = tf1.self_adjoint_eig(x)
    q, r = tf1.qr(x)
    assert l.shape.as_list() == [2, 2] and s.shape.as_list() == [None]
    assert q.shape.as_list() == [None, None] and r.shape.as_list() == [None, 2]
    g = tf1.gradients(tf1.reduce_sum(l) + tf1.reduce_sum(s) + tf1.reduce_sum(e), x)[0]
    with tf1.Session() as sess:
        lv, sv, ev, gv = sess.run([l, s, e, g], {x: a})
    np.testing.assert_allclose(lv @ lv.T, a)
    np.testing.assert_allclose(sv, np.linalg.svd(a, compute_uv=False))
    np.testing.assert_allclose(ev, np.linalg.eigvalsh(a))
    # d/dA of sum(chol) + sum(svd values) + sum(eigenvalues) by central differences, with
    # TF's conventions: Cholesky's gradient is that of its symmetrised input, eigh's lies
    # on the lower triangle it reads
    def f(m):
        return (np.linalg.cholesky((m + m.T) / 2).sum() +
                np.linalg.svd(m, compute_uv=False).sum() +
                np.linalg.eigvalsh(np.tril(m) + np.tril(m, -1).T).sum())
    num = np.zeros_like(a)
    for i in range(2):
        for j in range(2):
            d = np.zeros_like(a)
            d[i, j] = 1e-6
            num[i, j] = (f(a + d) - f(a - d)) / 2e-6
    np.testing.assert_allclose(gv, num, rtol=1e-5, atol=1e-6)
