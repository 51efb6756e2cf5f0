"""The tf.io.gfile script shared by tools/record_debug_random_io.py (run with TF) and
tests/test_debug_random_io.py (run with tfteach): one sequence of calls in a fresh directory;
each step's value, or its error class and message, with the directory written <D>."""
import json


def gfile_script(tf, d):
    import os as _os
    G = tf.io.gfile
    p = _os.path.join(d, "a.txt")
    with G.GFile(p, "w") as f:
        f.write("hello\nworld\n")
    steps = [
        ("exists", lambda: G.exists(p)), ("exists_missing", lambda: G.exists(d + "/nope")),
        ("read_missing", lambda: G.GFile(d + "/nope").read()),
        ("listdir_missing", lambda: G.listdir(d + "/nope")),
        ("remove_missing", lambda: G.remove(d + "/nope")),
        ("makedirs", lambda: G.makedirs(d + "/x/y")), ("mkdir_existing", lambda: G.mkdir(d + "/x")),
        ("mkdir_no_parent", lambda: G.mkdir(d + "/q/r")),
        ("copy", lambda: G.copy(p, d + "/b.txt")), ("copy_again", lambda: G.copy(p, d + "/b.txt")),
        ("rename_onto", lambda: G.rename(p, d + "/b.txt")),
        ("rename_missing", lambda: G.rename(d + "/nope", d + "/c.txt")),
        ("listdir", lambda: sorted(G.listdir(d))), ("glob", lambda: sorted(G.glob(d + "/*.txt"))),
        ("isdir", lambda: G.isdir(d + "/x")), ("stat_length", lambda: G.stat(p).length),
        ("rmtree_missing", lambda: G.rmtree(d + "/nope")),
        ("readlines", lambda: G.GFile(p).readlines()),
        ("matching_files", lambda: tf.io.matching_files(d + "/*.txt").numpy().tolist()),
        ("matching_files_list", lambda: tf.io.matching_files(
            [d + "/*.txt", d + "/x"]).numpy().tolist()),
        ("walk", lambda: [[a, sorted(b), sorted(c)] for a, b, c in G.walk(d)]),
        ("join", lambda: G.join("a", "b")), ("bad_mode", lambda: G.GFile(p, "x")),
        ("rename_overwrite", lambda: G.rename(p, d + "/b.txt", overwrite=True)),
        ("exists_after_rename", lambda: G.exists(p)),
        ("read_binary", lambda: G.GFile(d + "/b.txt", "rb").read()),
    ]
    out = {}
    for key, fn in steps:
        try:
            v = fn()
            v = [x.decode() if isinstance(x, bytes) else x for x in v] if isinstance(
                v, list) else v.decode() if isinstance(v, bytes) else v
            out[key] = {"value": json.loads(json.dumps(v).replace(d, "<D>"))}
        except Exception as e:  # noqa: BLE001
            out[key] = {"class": type(e).__name__,
                        "message": (getattr(e, "message", None) or str(e)).replace(d, "<D>")}
    return out


def csv_script(tf):
    """tf.io.decode_csv calls: each one's columns (as lists), or its error class and the
    message's core (TF's eager prefix and op suffix cut)."""
    D = tf.io.decode_csv
    steps = [
        ("mixed", lambda: D(["1,2.5,abc,7", "3,,x y,"],
                            [[0], [1.5], ["d"], tf.constant([9], tf.int64)])),
        ("too_few", lambda: D(["1,2"], [[0], [0], [0]])),
        ("required", lambda: D(["1,,3"], [[0], tf.constant([], tf.int32), [0]])),
        ("bad_int", lambda: D(["a,2"], [[0], [0]])),
        ("bad_float", lambda: D(["a,2"], [[0.0], [0]])),
        ("bad_double", lambda: D(["1,x"], [[0], tf.constant([0.0], tf.float64)])),
        ("quoted", lambda: D(['"a,b",2', '"x""y",3'], [[""], [0]])),
        ("quote_after", lambda: D(['"a,b"c,2'], [[""], [0]])),
        ("pipe", lambda: D(["1|2"], [[0], [0]], field_delim="|")),
        ("na_value", lambda: D(["NA,2"], [[5], [0]], na_value="NA")),
        ("select_cols", lambda: D(["1,2,3"], [[0], [0]], select_cols=[0, 2])),
        ("rank2", lambda: D([["1,2"], ["3,4"]], [[0], [0.0]])),
        ("exponent", lambda: D(["1.5e3, 2"], [[0.0], [0]])),
        ("int32_range", lambda: D(["9999999999,2"], [[0], [0]])),
        ("int64_big", lambda: D(["9999999999,2"], [tf.constant([0], tf.int64), [0]])),
        ("long_delim", lambda: D(["1,2"], [[0], [0]], field_delim="ab")),
        ("quote_inside", lambda: D(['a"b,2'], [[""], [0]])),
        ("no_quote_delim", lambda: D(['"a"b,2'], [[""], [0]], use_quote_delim=False)),
        ("inf_nan", lambda: D(["inf,nan"], [[0.0], [0.0]])),
        ("spaces", lambda: D([" 3 ,2"], [[0], [0]])),
        ("unterminated", lambda: D(['"abc'], [[""]])),
        ("trailing_delim", lambda: D(["1,"], [[0], [4]])),
    ]
    out = {}
    for key, fn in steps:
        try:
            cols = fn()
            out[key] = {"value": [repr(c.numpy().tolist()) for c in cols],
                        "dtypes": [c.dtype.name for c in cols]}
        except Exception as e:  # noqa: BLE001
            text = getattr(e, "message", None) or str(e)
            text = text.split("}} ", 1)[-1].split(" [Op:")[0]
            out[key] = {"class": type(e).__name__, "message": text}
    return out


def check_numerics_script(tf, np):
    """tf.debugging.enable_check_numerics: each call's error class and message core, or its
    value; checks are disabled again at the end."""
    def core(e):
        text = getattr(e, "message", None) or str(e)
        if text.startswith("Graph execution error"):
            # TF quotes the op's creation trace; keep from the "!!!" banner on
            text = text[text.index("!!! Detected"):]
            text = text.replace("\n  Stack trace", "\n\x00").split("\x00")[0]
            return text.split(" [Op:")[0]
        return text.split("}} ", 1)[-1].split(" [Op:")[0]

    @tf.function
    def fn(x):
        return tf.math.log(x) * 2.0

    steps = [
        ("log", lambda: tf.math.log(tf.constant([-1.0, 0.0, 1.0]))),
        ("add", lambda: tf.add(tf.constant([np.inf]), tf.constant([-np.inf]))),
        ("div", lambda: tf.divide(tf.constant([1.0, -1.0]), tf.constant([0.0, 0.0]))),
        ("mul_operator", lambda: tf.constant([np.nan]) * 1),
        ("constant", lambda: tf.constant([np.nan])),
        ("identity", lambda: tf.identity(tf.constant([np.nan]))),
        ("reshape", lambda: tf.reshape(tf.constant([np.nan]), [1, 1])),
        ("int_op", lambda: tf.constant([1]) // tf.constant([1])),
        ("function", lambda: fn(tf.constant([-1.0]))),
        ("function_ok", lambda: fn(tf.constant([1.0]))),
    ]
    out = {}
    tf.debugging.enable_check_numerics()
    try:
        for key, call in steps:
            try:
                v = call()
                out[key] = {"value": repr(v.numpy().tolist())}
            except Exception as e:  # noqa: BLE001
                out[key] = {"class": type(e).__name__, "message": core(e)}
    finally:
        tf.debugging.disable_check_numerics()
    try:
        out["after_disable"] = {"value": repr(tf.math.log(tf.constant([-1.0])).numpy().tolist())}
    except Exception as e:  # noqa: BLE001
        out["after_disable"] = {"class": type(e).__name__, "message": core(e)}
    return out
