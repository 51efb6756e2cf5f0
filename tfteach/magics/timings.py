"""Per-op timings of a traced `Session.run` (RunOptions(trace_level=FULL_TRACE)), as a table."""
import html

from ..viz.dot import format_seconds

__all__ = ["TimingTable", "timing_table", "profile"]


class TimingTable:
    """Rows (op name, op type, device, seconds) sorted slowest first; shows as an HTML table
    in notebooks and as aligned text elsewhere."""

    def __init__(self, rows, top=None):
        self.rows = sorted(rows, key=lambda r: (-r[3], r[0]))
        self.total = sum(r[3] for r in self.rows)
        self.top = top

    def _shown(self):
        return self.rows[:self.top] if self.top else self.rows

    def __len__(self):
        return len(self.rows)

    def as_dict(self):
        return {r[0]: r[3] for r in self.rows}

    def __repr__(self):
        rows = self._shown()
        w = max([len("op")] + [len(r[0]) for r in rows])
        wt = max([len("type")] + [len(r[1]) for r in rows])
        out = [f"{'op':<{w}}  {'type':<{wt}}  {'time':>10}  {'share':>6}"]
        for name, typ, _dev, secs in rows:
            share = secs / self.total * 100 if self.total else 0.0
            out.append(f"{name:<{w}}  {typ:<{wt}}  {format_seconds(secs):>10}  {share:5.1f}%")
        out.append(f"{len(self.rows)} ops, total {format_seconds(self.total)}")
        return "\n".join(out)

    def _repr_html_(self):
        cells = []
        for name, typ, dev, secs in self._shown():
            share = secs / self.total * 100 if self.total else 0.0
            cells.append(f"<tr><td><code>{html.escape(name)}</code></td><td>{html.escape(typ)}"
                         f"</td><td>{html.escape(dev)}</td><td style=\"text-align:right\">"
                         f"{format_seconds(secs)}</td><td style=\"text-align:right\">"
                         f"<span style=\"display:inline-block;background:#e06666;height:0.8em;"
                         f"width:{share:.0f}px\"></span> {share:.1f}%</td></tr>")
        return ("<table class=\"tfteach-timings\"><thead><tr><th>op</th><th>type</th>"
                "<th>device</th><th>time</th><th>share</th></tr></thead><tbody>"
                + "".join(cells) + f"</tbody><tfoot><tr><td colspan=\"5\">{len(self.rows)} ops,"
                f" total {format_seconds(self.total)}</td></tr></tfoot></table>")


def timing_table(run_metadata, top=None):
    """A TimingTable from the `RunMetadata` a traced `Session.run` filled."""
    rows = []
    for dev in run_metadata.step_stats.dev_stats:
        for ns in dev.node_stats:
            rows.append((ns.node_name, getattr(ns, "op_type", ""),
                         getattr(ns, "device", dev.device) or dev.device,
                         ns.op_end_rel_micros / 1e6))
    return TimingTable(rows, top)


def profile(sess, fetches, feed_dict=None):
    """Runs `fetches` once with FULL_TRACE; returns (values, RunMetadata)."""
    from ..client.config import RunMetadata, RunOptions
    md = RunMetadata()
    values = sess.run(fetches, feed_dict=feed_dict,
                      options=RunOptions(trace_level=RunOptions.FULL_TRACE), run_metadata=md)
    return values, md
