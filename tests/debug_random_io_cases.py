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
