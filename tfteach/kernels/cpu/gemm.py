"""tfteach's own float32 GEMM: BLIS's loop nest around register-blocked micro-kernels.

Why not just BLAS: numba's `np.dot` reaches OpenBLAS, and an environment may pin OpenBLAS to
its AVX2 kernels (`OPENBLAS_CORETYPE=Haswell`, as on this project's machines) on a CPU with
AVX-512, where half the arithmetic width sits idle; TF's oneDNN uses all of it. This file is
the algorithm BLAS libraries use, in plain numba a student can read:

    C[M,N] (+)= A[M,K] @ B[K,N]
    for each slice of K (at most KC long):     B's NR-wide panels, packed or read in place
      for each task (MC rows x some panels):   on all threads (blocks claimed by threads)
        for each B panel of the task:          kc x NR floats, reused from L1/L2
          for each MR rows of the task:        A read in place (any strides)
            micro-kernel: an MR x NR tile of C in 24 AVX-512 registers, kc rank-1 updates

The tile is 6x64 (4 vectors of 16 floats per row), or 12x32 for products at most 32 columns
wide (a convolution with 32 output channels would leave half of every 64-wide tile idle).
Both are one generator of LLVM IR (`_tile_codegen`): per step of k it loads the B row's
vectors, broadcasts the A column's scalars and issues 24 FMAs, with no other memory traffic
(`micro_kernel_asm()` shows it; tests/test_gemm.py checks it). Edges never reach it: a tile
cut by C's edge is computed whole into a scratch tile, and panels of A or B cut by the
matrix's edge are copied zero-padded first.

Measured on a Zen 5 (2 cores, AVX-512): either tile alone ~250 GFLOP/s per core, about its
FMA peak; 420-440 GFLOP/s on both cores for seed 3's deep-model products (1680x2000x3000).

Used where it wins: float32, big enough products, a CPU with AVX-512 (`available()`); BLAS
does the rest. Results match BLAS to float32 rounding (the sums run in a different order);
NaN and Inf propagate as in any IEEE product (each step is an exact fused multiply-add, no
other reassociation).
"""
__toolkit__ = True   # shared machinery for the family modules: registers no kernels

import numpy as np
from numba import njit, types
from llvmlite import ir
from numba.core import cgutils
from numba.extending import intrinsic

from ._build import cache_by

MR, NR = 6, 64        # the wide tile: 6 rows x 4 vectors of 16 floats = 24 zmm registers
MR_N, NR_N = 12, 32   # the narrow tile, for products at most 32 columns wide (a conv with 32
                      # output channels): 12 rows x 2 vectors, the same 24 registers
MR_MAX = 12           # rows of the scratch tiles, a multiple of both tiles' rows
KC = 768              # longest reduction slice: a B panel (KC*NR*4 = 192 KiB) and an A block
MC = 192              # (MC*KC*4 = 576 KiB) share a 1 MiB L2; longer slices mean fewer passes
                      # over C (MC = 96 gave 3-5% less on both cores of a Zen 5, 1680-2048 rows)
FEW_ROWS = 192        # fewer rows of A than this: B is not worth packing whole
ALL_K_B_BYTES = 16 << 20   # B read in place up to this size: a task runs all of K (_gemm_threads)


def _tile_codegen(mr, nv):
    """LLVM IR for the register tile: c[ci:ci+mr, cj:cj+16*nv] (+)= sum over p < kc of
    at[p, :mr] (outer) bv[p*ldb : p*ldb+16*nv].

    Written with LLVM's own vector type and FMA intrinsic rather than as numba loops: the
    tile's mr*nv accumulators are SSA values carried round the k loop (registers by
    construction), so the code does not depend on the loop vectoriser's choices. Left to
    it, a 12x32 tile written like the 6x64 one was fully unrolled into scalars (8 GFLOP/s
    instead of 250)."""
    def codegen(context, builder, sig, args):
        kc, at, bv, ldb, c, ci, cj, accumulate = args
        t = _TileIR(context, builder, mr, nv)
        a_ary = context.make_array(sig.args[1])(context, builder, at)
        b_ary = context.make_array(sig.args[2])(context, builder, bv)
        a_base = builder.bitcast(a_ary.data, t.i8p)
        a_step, a_row = cgutils.unpack_tuple(builder, a_ary.strides, 2)     # in bytes
        c_rows = t.c_rows(sig.args[4], c, ci, cj)
        entry = builder.basic_block
        loop = builder.append_basic_block("tile.k")
        done = builder.append_basic_block("tile.store")
        builder.cbranch(builder.icmp_signed(">", kc, t.intp(0)), loop, done)

        builder.position_at_end(loop)
        p = builder.phi(t.intp)
        acc = [builder.phi(t.vty) for _ in range(mr * nv)]
        b_row = builder.gep(b_ary.data, [builder.mul(p, ldb)])
        a_col = builder.gep(a_base, [builder.mul(p, a_step)])
        a_ptrs = [builder.bitcast(builder.gep(a_col, [builder.mul(t.intp(i), a_row)]),
                                  t.f32.as_pointer()) for i in range(mr)]
        nxt = t.rank1(b_row, a_ptrs, acc)
        p_next = builder.add(p, t.intp(1))
        p.add_incoming(t.intp(0), entry)
        p.add_incoming(p_next, loop)
        t.finish(acc, nxt, entry, loop, done, builder.icmp_signed("<", p_next, kc), c_rows,
                 accumulate)
        return context.get_dummy_value()
    return codegen


def _row_tile_codegen(mr, nv, a_row):
    """LLVM IR for the register tile of a direct convolution (direct_conv.py): the same
    mr x 16*nv tile of c, summed over kr rows of kc steps, where A's scalars come from one
    flat array at a[a0 + r*a_next + p*a_step + i*a_row] (i < mr: the tile's row) and B's
    row r*kc + p is b[b0 + (r*kc + p)*ldb : ... + 16*nv]; all offsets in elements. a_row is
    a constant of the code: the mr loads are then at fixed offsets from one pointer (with
    a_row a variable they took twice the time of the FMAs).

    An image row of a few channels is A read in place: a filter row's taps (kj, ch) are kc
    consecutive floats, the tile's pixels a_row = stride*C apart, the filter's rows a_next
    apart; with im2col's copy gone a 5x5 filter on one channel runs at the FMA peak."""
    def codegen(context, builder, sig, args):
        kr, kc, a, a0, a_step, a_next, b, b0, ldb, c, ci, cj, accumulate = args
        t = _TileIR(context, builder, mr, nv)
        a_ary = context.make_array(sig.args[2])(context, builder, a)
        b_ary = context.make_array(sig.args[6])(context, builder, b)
        c_rows = t.c_rows(sig.args[9], c, ci, cj)
        a_start = builder.gep(a_ary.data, [a0])
        b_start = builder.gep(b_ary.data, [b0])
        total = builder.mul(kr, kc)
        # from the last step of a row to the first of the next
        jump = builder.sub(a_next, builder.mul(builder.sub(kc, t.intp(1)), a_step))
        entry = builder.basic_block
        loop = builder.append_basic_block("tile.k")
        done = builder.append_basic_block("tile.store")
        builder.cbranch(builder.icmp_signed(">", total, t.intp(0)), loop, done)

        builder.position_at_end(loop)
        q = builder.phi(t.intp)             # steps taken
        p = builder.phi(t.intp)             # step within the row
        a_ptr = builder.phi(a_start.type)
        b_row = builder.phi(b_start.type)
        acc = [builder.phi(t.vty) for _ in range(mr * nv)]
        a_ptrs = [builder.gep(a_ptr, [t.intp(i * a_row)]) for i in range(mr)]
        nxt = t.rank1(b_row, a_ptrs, acc)
        p1 = builder.add(p, t.intp(1))
        wrap = builder.icmp_signed("==", p1, kc)
        q1 = builder.add(q, t.intp(1))
        for phi, first, then in (
                (q, t.intp(0), q1),
                (p, t.intp(0), builder.select(wrap, t.intp(0), p1)),
                (a_ptr, a_start, builder.gep(a_ptr, [builder.select(wrap, jump, a_step)])),
                (b_row, b_start, builder.gep(b_row, [ldb]))):
            phi.add_incoming(first, entry)
            phi.add_incoming(then, loop)
        t.finish(acc, nxt, entry, loop, done, builder.icmp_signed("<", q1, total), c_rows,
                 accumulate)
        return context.get_dummy_value()
    return codegen


class _TileIR:
    """The pieces both tiles share: C's row pointers (prefetched for writing while the k
    loop runs), one rank-1 update of the accumulators, the store."""

    def __init__(self, context, builder, mr, nv):
        self.context, self.builder, self.mr, self.nv = context, builder, mr, nv
        # 512-bit vectors stay whole: LLVM's tuning for some cores would split them in two
        # (and need 48 registers for the tile); on a CPU without AVX-512 they are split
        # anyway, correctly and slowly (`available()` is then False)
        set.add(builder.function.attributes, '"min-legal-vector-width"="512"')
        set.add(builder.function.attributes, '"prefer-vector-width"="512"')
        self.f32 = ir.FloatType()
        self.vty = ir.VectorType(self.f32, 16)
        self.i8p = ir.IntType(8).as_pointer()
        self.i32 = ir.IntType(32)
        self.intp = cgutils.intp_t
        self.zero = ir.Constant(self.vty, None)

    def c_rows(self, c_type, c, ci, cj):
        b, intp, i32 = self.builder, self.intp, self.i32
        c_ary = self.context.make_array(c_type)(self.context, b, c)
        c_base = b.bitcast(c_ary.data, self.i8p)
        c_row, c_col = cgutils.unpack_tuple(b, c_ary.strides, 2)
        rows = [b.gep(c_base, [b.add(b.mul(b.add(ci, intp(i)), c_row), b.mul(cj, c_col))])
                for i in range(self.mr)]
        # C's lines start coming from memory while the k loop runs (prefetch for writing)
        prefetch = cgutils.get_or_insert_function(
            b.module, ir.FunctionType(ir.VoidType(), [self.i8p, i32, i32, i32]),
            "llvm.prefetch.p0")
        for row in rows:
            for v in range(self.nv):
                b.call(prefetch, [b.gep(row, [intp(64 * v)]), i32(1), i32(3), i32(1)])
        return rows

    def rank1(self, b_row, a_ptrs, acc):
        """acc + (the mr scalars at a_ptrs) outer (the B row's nv vectors): the new values."""
        b, vty, intp = self.builder, self.vty, self.intp
        fma = cgutils.get_or_insert_function(
            b.module, ir.FunctionType(vty, [vty, vty, vty]), "llvm.fma.v16f32")
        undef = ir.Constant(vty, ir.Undefined)
        splat = ir.Constant(ir.VectorType(self.i32, 16), [0] * 16)
        b_vec = [b.load(b.bitcast(b.gep(b_row, [intp(16 * v)]), vty.as_pointer()), align=4)
                 for v in range(self.nv)]
        nxt = []
        for i, a_ptr in enumerate(a_ptrs):
            a = b.load(b.bitcast(a_ptr, self.f32.as_pointer()), align=4)
            a16 = b.shuffle_vector(b.insert_element(undef, a, self.i32(0)), undef, splat)
            nxt.extend(b.call(fma, [a16, b_vec[v], acc[i * self.nv + v]])
                       for v in range(self.nv))
        return nxt

    def finish(self, acc, nxt, entry, loop, done, more, c_rows, accumulate):
        """Closes the k loop (another step while `more`), then stores the tile."""
        b, vty = self.builder, self.vty
        for phi, val in zip(acc, nxt):
            phi.add_incoming(self.zero, entry)
            phi.add_incoming(val, loop)
        b.cbranch(more, loop, done)
        b.position_at_end(done)
        totals = []
        for val in nxt:
            total = b.phi(vty)
            total.add_incoming(self.zero, entry)
            total.add_incoming(val, loop)
            totals.append(total)
        ptrs = [b.bitcast(b.gep(row, [self.intp(64 * v)]), vty.as_pointer())
                for row in c_rows for v in range(self.nv)]
        add = b.icmp_unsigned("!=", accumulate, ir.Constant(accumulate.type, 0))
        # C is read only when accumulating: a tile of a short product (K = 25 for a 5x5
        # filter on one channel) would otherwise spend a fifth of its time loading it
        with b.if_else(add) as (then, otherwise):
            with then:
                for ptr, total in zip(ptrs, totals):
                    b.store(b.fadd(b.load(ptr, align=4), total), ptr, align=4)
            with otherwise:
                for ptr, total in zip(ptrs, totals):
                    b.store(total, ptr, align=4)


@intrinsic
def _tile_6x64(typingctx, kc, at, bv, ldb, c, ci, cj, accumulate):
    return types.none(kc, at, bv, ldb, c, ci, cj, accumulate), _tile_codegen(MR, NR // 16)


@intrinsic
def _tile_12x32(typingctx, kc, at, bv, ldb, c, ci, cj, accumulate):
    return types.none(kc, at, bv, ldb, c, ci, cj, accumulate), _tile_codegen(MR_N, NR_N // 16)


@njit(cache=True, boundscheck=False, inline="never")
def _micro_kernel(kc, at, bv, ldb, c, ci, cj, accumulate):
    """c[ci:ci+MR, cj:cj+NR] (+)= A panel @ B panel, over kc steps of k: at[p, i] is A's row i
    at step p (a transposed view of MR rows of A, any strides: only scalars are read from
    it); row p of the B panel is bv[p*ldb : p*ldb+NR] (unit stride: a packed panel has
    ldb = NR, B read in place has ldb = its width); c's rows may have any stride, its
    columns are unit-stride. Per step of k: NR/16 vector loads of B, MR broadcasts of A,
    24 FMAs on registers, no other memory traffic (`micro_kernel_asm()`)."""
    _tile_6x64(kc, at, bv, ldb, c, ci, cj, accumulate)


@njit(cache=True, boundscheck=False, inline="never")
def _micro_kernel_narrow(kc, at, bv, ldb, c, ci, cj, accumulate):
    """The same for the narrow tile (MR_N x NR_N)."""
    _tile_12x32(kc, at, bv, ldb, c, ci, cj, accumulate)


_ROW_TILES = {}


def row_tile(mr, nv, a_row):
    """The direct convolution's micro-kernel for an mr x 16*nv tile whose rows read A
    a_row elements apart (`_row_tile_codegen`), made on first use for each: kernel(kr, kc,
    a, a0, a_step, a_next, b, b0, ldb, c, ci, cj, accumulate), a and b 1-D float32 arrays,
    offsets in elements."""
    kernel = _ROW_TILES.get((mr, nv, a_row))
    if kernel is None:
        @intrinsic
        def tile(typingctx, kr, kc, a, a0, a_step, a_next, b, b0, ldb, c, ci, cj,
                 accumulate):
            return (types.none(kr, kc, a, a0, a_step, a_next, b, b0, ldb, c, ci, cj,
                               accumulate), _row_tile_codegen(mr, nv, a_row))

        @njit(cache=True, boundscheck=False, inline="never")
        def kernel(kr, kc, a, a0, a_step, a_next, b, b0, ldb, c, ci, cj, accumulate):
            tile(kr, kc, a, a0, a_step, a_next, b, b0, ldb, c, ci, cj, accumulate)
        _ROW_TILES[mr, nv, a_row] = cache_by(kernel, mr, nv, a_row)
    return kernel


@njit(cache=True, inline="always")
def tile_shape(n):
    """(rows, columns) of the register tile for a product n columns wide."""
    return (MR_N, NR_N) if n <= NR_N else (MR, NR)


def panel_width(n):
    """Width of the B panels (and C tiles) a product n columns wide is computed in."""
    return NR_N if n <= NR_N else NR


@njit(cache=True, boundscheck=False)
def tile_update(kc, at, bv, ldb, c, ci, cj, accumulate, edge, mr, nr):
    """The mr x nr tile of c at (ci, cj); a tile cut by c's edge is computed into the
    scratch `edge` and only its valid part stored."""
    mv = min(mr, c.shape[0] - ci)
    nv = min(nr, c.shape[1] - cj)
    if mv == mr and nv == nr:
        if nr == NR_N:
            _micro_kernel_narrow(kc, at, bv, ldb, c, ci, cj, accumulate)
        else:
            _micro_kernel(kc, at, bv, ldb, c, ci, cj, accumulate)
        return
    if nr == NR_N:
        _micro_kernel_narrow(kc, at, bv, ldb, edge, 0, 0, False)
    else:
        _micro_kernel(kc, at, bv, ldb, edge, 0, 0, False)
    cv = c[ci:ci + mv, cj:cj + nv]
    if accumulate:
        for i in range(mv):
            for j in range(nv):
                cv[i, j] += edge[i, j]
    else:
        for i in range(mv):
            for j in range(nv):
                cv[i, j] = edge[i, j]


@njit(cache=True, boundscheck=False)
def _pack_b_panel(b, p0, kc, j0, out):
    """b[p0:p0+kc, j0:j0+nr] row by row into out (kc*nr floats, nr the panel width of b's
    product), columns past b's end zero."""
    nr = tile_shape(b.shape[1])[1]
    cols = min(nr, b.shape[1] - j0)
    bv = b[p0:p0 + kc, j0:j0 + cols]
    for p in range(kc):
        o = out[p * nr:(p + 1) * nr]
        for j in range(cols):
            o[j] = bv[p, j]
        for j in range(cols, nr):
            o[j] = 0.0


@njit(cache=True)
def _slice(k):
    """Length of the KC slices K is cut into: equal ones (K = 800 is 400 + 400, not
    768 + 32, whose short slice would spend more on C's traffic than on arithmetic)."""
    n = (k + KC - 1) // KC
    return (k + n - 1) // n if n else 0


@njit(cache=True)
def packed_b_size(k, n):
    nr = tile_shape(n)[1]
    return k * ((n + nr - 1) // nr) * nr


@njit(cache=True, boundscheck=False)
def pack_b(b, bp):
    """All of b [K,N] into bp (`packed_b_size` floats): per KC slice, its NR-wide panels one
    after another (the slice starting at k = p0 begins at bp[p0 * NR * panels])."""
    k, n = b.shape
    nr = tile_shape(n)[1]
    npan = (n + nr - 1) // nr
    ks = _slice(k)
    for p0 in range(0, k, ks):
        kc = min(ks, k - p0)
        for q in range(npan):
            o = p0 * npan * nr + q * kc * nr
            _pack_b_panel(b, p0, kc, q * nr, bp[o:o + kc * nr])


@njit(cache=True, boundscheck=False)
def _block(a, b, b_flat, bps, c, i0, i1, q0, q1, p0, kc, accumulate, a_tail, b_tail,
           tail_ready, edge, bias, relu):
    """c[i0:i1, panels q0:q1] (+)= a[i0:i1, p0:p0+kc] @ b[p0:p0+kc, panels q0:q1].

    A is read in place, mr rows at a time (only a last panel shorter than mr rows is copied,
    zero-padded, into `a_tail`). B comes from `bps`, this slice's packed panels, when it has
    any; else it is read in place from `b_flat` (B C-contiguous) and only a last panel
    narrower than nr comes from `b_tail` (packed here, or by the caller if `tail_ready`).
    A non-empty `bias` (the last slice's call) is added to each tile, and Relu applied if
    `relu`, right after the tile is stored, while it is in L1 (`epilogue`)."""
    m = a.shape[0]
    n = c.shape[1]
    mr, nr = tile_shape(n)
    for q in range(q0, q1):
        j0 = q * nr
        if bps.size > 0:
            bv = bps[q * kc * nr:(q + 1) * kc * nr]
            ldb = nr
        elif j0 + nr <= n:
            bv = b_flat[p0 * n + j0:p0 * n + j0 + (kc - 1) * n + nr]
            ldb = n
        else:
            if not tail_ready:
                _pack_b_panel(b, p0, kc, j0, b_tail)
            bv = b_tail[:kc * nr]
            ldb = nr
        for r in range(i0, i1, mr):
            if r + mr <= m:
                at = a[r:r + mr, p0:p0 + kc].T
            else:
                rows = m - r
                a_tail[:mr, :kc] = 0.0
                a_tail[:rows, :kc] = a[r:m, p0:p0 + kc]
                at = a_tail[:mr, :kc].T
            tile_update(kc, at, bv, ldb, c, r, j0, accumulate, edge, mr, nr)
            if bias.size > 0:
                epilogue(c, r, min(m, r + mr), j0, min(n, j0 + nr), bias, relu)


@njit(cache=True, boundscheck=False)
def epilogue(c, i0, i1, j0, j1, bias, relu):
    """c[i0:i1, j0:j1] + bias[j0:j1], then Relu's rule (0 if v < 0 else v: NaN and -0.0 pass)
    if `relu`: the same two float32 operations BiasAdd and Relu would apply after the
    product, so a fused Dense layer gives the unfused graph's bits."""
    bv = bias[j0:j1]
    for i in range(i0, i1):
        crow = c[i, j0:j1]
        for j in range(j1 - j0):
            v = crow[j] + bv[j]
            crow[j] = 0 if relu and v < 0 else v


@njit(cache=True, boundscheck=False)
def gemm_serial(a, b, bp, c, accumulate, scratch):
    """c (+)= a @ b on the calling thread. `bp` is b packed by `pack_b` (a filter reused by
    many products), or empty to read b in place (then b must be C-contiguous). `scratch`
    comes from `serial_scratch()`. The building block of the convolution kernels, whose
    tasks already run in parallel."""
    m, k = a.shape
    n = c.shape[1]
    nr = tile_shape(n)[1]
    npan = (n + nr - 1) // nr
    a_tail, b_tail, edge = scratch
    b_flat = b.reshape(-1) if bp.size == 0 else bp
    ks = _slice(k)
    for p0 in range(0, k, ks):
        kc = min(ks, k - p0)
        bps = bp[p0 * npan * nr:(p0 + kc) * npan * nr]
        for i0 in range(0, m, MC):
            _block(a, b, b_flat, bps, c, i0, min(m, i0 + MC), 0, npan, p0, kc,
                   accumulate or p0 > 0, a_tail, b_tail, False, edge, _NO_BIAS, False)


_NO_BIAS = np.empty(0, np.float32)


@njit(cache=True)
def serial_scratch():
    return (np.empty((MR_MAX, KC), np.float32), np.empty(KC * NR, np.float32),
            np.empty((MR_MAX, NR), np.float32))


@njit(cache=True, nogil=True, boundscheck=False)
def _pack_panels(b, p0, kc, bp, q0, q1):
    """B's panels q0..q1-1 of the KC slice at p0, packed (one block of the pack phase)."""
    nr = tile_shape(b.shape[1])[1]
    for q in range(q0, q1):
        _pack_b_panel(b, p0, kc, q * nr, bp[q * kc * nr:(q + 1) * kc * nr])


@njit(cache=True, inline="always")
def _task_block(m, n, t, n_tasks_j):
    """Rows i0..i1 and B panels q0..q1 of task t: one MC block of rows times one of
    n_tasks_j groups of panels."""
    nr = tile_shape(n)[1]
    npan = (n + nr - 1) // nr
    per = (npan + n_tasks_j - 1) // n_tasks_j
    ib = t // n_tasks_j
    jb = t - ib * n_tasks_j
    return ib * MC, min(m, (ib + 1) * MC), jb * per, min(npan, (jb + 1) * per)


@njit(cache=True, nogil=True, boundscheck=False)
def _gemm_task(a, b, b_flat, bp, b_tail, c, t, n_tasks_j, p0, kc, bias, relu):
    """Task t of a KC slice (the epilogue `bias`, `relu` given for the last slice only)."""
    i0, i1, q0, q1 = _task_block(a.shape[0], b.shape[1], t, n_tasks_j)
    nr = tile_shape(b.shape[1])[1]
    npan = (b.shape[1] + nr - 1) // nr
    _block(a, b, b_flat, bp[:npan * nr * kc], c, i0, i1, q0, q1, p0, kc, p0 > 0,
           np.empty((MR_MAX, KC), np.float32), b_tail, True,
           np.empty((MR_MAX, NR), np.float32), bias, relu)


@njit(cache=True, nogil=True, boundscheck=False)
def _gemm_task_all_k(a, b, b_flat, b_tails, c, t, n_tasks_j, ks, bias, relu):
    """Task t over every KC slice in turn, B read in place (its ragged last panel of slice s
    packed at b_tails[s*ks*NR:])."""
    k = a.shape[1]
    i0, i1, q0, q1 = _task_block(a.shape[0], b.shape[1], t, n_tasks_j)
    a_tail = np.empty((MR_MAX, KC), np.float32)
    edge = np.empty((MR_MAX, NR), np.float32)
    no_pack = np.empty(0, np.float32)
    for p0 in range(0, k, ks):
        kc = min(ks, k - p0)
        s = p0 // ks
        _block(a, b, b_flat, no_pack, c, i0, i1, q0, q1, p0, kc, p0 > 0, a_tail,
               b_tails[s * ks * NR:(s + 1) * ks * NR], True, edge,
               bias if p0 + kc == k else no_pack, relu)


@njit(cache=True, nogil=True)
def _pack_tails(b, ks, b_tails):
    k, n = b.shape
    nr = tile_shape(n)[1]
    npan = (n + nr - 1) // nr
    for p0 in range(0, k, ks):
        kc = min(ks, k - p0)
        s = p0 // ks
        _pack_b_panel(b, p0, kc, (npan - 1) * nr, b_tails[s * ks * NR:(s + 1) * ks * NR])


@njit(cache=True, nogil=True)
def _pack_tail(b, p0, kc, j0, b_tail):
    _pack_b_panel(b, p0, kc, j0, b_tail)


def _gemm_threads(a, b, b_flat, pack, c, n_tasks_j, nt, bias, relu):
    """c = a @ b on `nt` threads, in tasks of one MC block of rows times one group of B
    panels. Tasks (and pack blocks) are claimed by the threads as they come free
    (threads.map_blocks): a thread another process keeps off its core does fewer tasks
    instead of holding up the product. Each element of c is summed over the KC slices in
    order by one task, so the value does not depend on the threads.

    B read in place and at most ALL_K_B_BYTES: each task runs every KC slice, so the threads
    never wait for each other between slices (Dense layers at batch 50 spent up to a
    quarter of their time there). Otherwise slice by slice: B's panels are packed (when
    `pack`; else only a ragged last panel is, once, for every task to share), then every
    task of the slice runs, so the tasks share the slice of a big B in L3 instead of each
    streaming all of B from memory."""
    from .threads import map_blocks
    m, k = a.shape
    n = b.shape[1]
    nr = panel_width(n)
    npan = (n + nr - 1) // nr
    ks = _slice(k)
    n_tasks = ((m + MC - 1) // MC) * n_tasks_j
    if not pack and k * n * 4 <= ALL_K_B_BYTES:
        b_tails = np.empty(-(-k // ks) * ks * NR, np.float32)
        if n % nr:
            _pack_tails(b, ks, b_tails)
        map_blocks(lambda t: _gemm_task_all_k(a, b, b_flat, b_tails, c, t, n_tasks_j, ks,
                                              bias, relu), n_tasks, nt)
        return
    bp = np.empty(npan * nr * ks if pack else 0, np.float32)
    b_tail = np.empty(ks * NR, np.float32)
    pack_per = max(1, -(-npan // (4 * nt)))
    for p0 in range(0, k, ks):
        kc = min(ks, k - p0)
        if pack:
            map_blocks(lambda i: _pack_panels(b, p0, kc, bp, i * pack_per,
                                              min(npan, (i + 1) * pack_per)),
                       -(-npan // pack_per), nt)
        elif n % nr:
            _pack_tail(b, p0, kc, (npan - 1) * nr, b_tail)
        epi = bias if p0 + kc == k else _NO_BIAS
        map_blocks(lambda t: _gemm_task(a, b, b_flat, bp, b_tail, c, t, n_tasks_j, p0, kc,
                                        epi, relu), n_tasks, nt)


def sgemm(a, b, threads, bias=None, relu=False):
    """a @ b for float32 2-D arrays of any strides, on up to `threads` threads; with `bias`
    (float32, one per column) the product + bias, and Relu if `relu`, as one kernel (a
    Dense layer's MatMul -> BiasAdd -> Relu, fused by runtime/epilogue.py)."""
    m, k, n = a.shape[0], a.shape[1], b.shape[1]
    epi = _NO_BIAS if bias is None else bias
    if m < FEW_ROWS and n >= 4 * m and not b.flags.c_contiguous and b.T.flags.c_contiguous:
        # a few rows times a transposed B (a Dense layer's input gradient, dy @ W.T):
        # packing all of B for so few rows would cost more than the product (58 vs 200
        # GFLOP/s); (b.T @ a.T).T reads W in place and packs only the small a.T
        c = np.ascontiguousarray(sgemm(b.T, a.T, threads).T)
        if epi.size:
            epilogue(c, 0, m, 0, n, epi, relu)
        return c
    if k == 0:
        c = np.zeros((m, n), np.float32)
        if epi.size:
            epilogue(c, 0, m, 0, n, epi, relu)
        return c
    c = np.empty((m, n), np.float32)
    npan = -(-n // panel_width(n))
    n_i = -(-m // MC)
    # enough tasks to balance the threads (a task is a whole number of tiles), each still
    # owning whole B panels
    n_j = max(1, min(npan, -(-4 * threads // n_i)))
    while (n_i * n_j) % threads and n_j < npan and n_i * n_j < 16 * threads:
        n_j += 1
    # B is read in place when its rows are unit-stride, unless enough rows of A reuse the
    # panels and either the rows' stride is a multiple of 1 KiB (rows that far apart map to
    # the same few L1/L2 sets and evict each other: 1024^2 134 GFLOP/s in place, 316
    # packed) or B is too big for whole-K tasks (a panel read in place touches a new page
    # per step of k: 1680x2000x3000 419 -> 434 GFLOP/s packed)
    pack = not b.flags.c_contiguous or (m >= FEW_ROWS and (
        n % 256 == 0 or k * n * 4 > ALL_K_B_BYTES))
    b_flat = np.empty(1, np.float32) if pack else b.reshape(-1)
    _gemm_threads(a, b, b_flat, pack, c, n_j, threads, epi, bool(relu))
    return c


_AVAILABLE = None


def available():
    """True when numba compiles for a CPU with AVX-512 (the micro-kernel's register tile
    needs 32 vector registers of 16 floats); elsewhere BLAS's AVX2 kernels are as fast."""
    global _AVAILABLE
    if _AVAILABLE is None:
        import os
        from numba.core import config
        import llvmlite.binding as llvm
        if os.environ.get("TFTEACH_GEMM", "").lower() == "blas":
            _AVAILABLE = False
        elif config.CPU_FEATURES is not None:
            _AVAILABLE = "+avx512f" in config.CPU_FEATURES.split(",")
        elif config.CPU_NAME not in (None, "host"):
            _AVAILABLE = False      # a portable build (e.g. generic): trust BLAS
        else:
            _AVAILABLE = bool(llvm.get_host_cpu_features().get("avx512f", False))
    return _AVAILABLE


def micro_kernel_asm(narrow=False):
    """A micro-kernel's machine code (the 12x32 one if `narrow`), to check that the tile
    stays in registers (compiled afresh: numba keeps no assembly for code it loads from
    its on-disk cache)."""
    kernel, mr, nr = (_micro_kernel_narrow, MR_N, NR_N) if narrow else (_micro_kernel, MR, NR)
    fresh = njit(boundscheck=False)(kernel.py_func)
    at = np.zeros((mr, 1), np.float32).T
    fresh(1, at, np.zeros(nr, np.float32), nr, np.zeros((mr, nr), np.float32), 0, 0, False)
    asm = fresh.inspect_asm(fresh.signatures[0])
    return asm[:asm.index(".Lfunc_end0")]      # the kernel itself, not numba's wrappers
