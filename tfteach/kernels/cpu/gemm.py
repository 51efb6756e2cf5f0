"""tfteach's own float32 GEMM: BLIS's loop nest around a 6x64 register-blocked micro-kernel.

Why not just BLAS: numba's `np.dot` reaches OpenBLAS, and an environment may pin OpenBLAS to
its AVX2 kernels (`OPENBLAS_CORETYPE=Haswell`, as on this project's machines) on a CPU with
AVX-512, where half the arithmetic width sits idle; TF's oneDNN uses all of it. This file is
the algorithm BLAS libraries use, in plain numba a student can read:

    C[M,N] (+)= A[M,K] @ B[K,N]
    for each slice of K (at most KC long):     B's NR-wide panels, packed or read in place
      for each task (MC rows x some panels):   on all threads (blocks claimed by threads)
        for each B panel of the task:          kc x 64 floats, reused from L1/L2
          for each MR rows of the task:        A read in place (any strides)
            micro-kernel: a 6x64 tile of C in 24 AVX-512 registers, kc rank-1 updates

The micro-kernel keeps its tile in a stack array (`_tile`, an alloca) that LLVM turns into
24 zmm registers: per step of k it loads 4 vectors of B, broadcasts 6 scalars of A and issues
24 FMAs, with no other memory traffic (`micro_kernel_asm()` shows it; tests/test_gemm.py
checks it). Edges never reach it: a tile cut by C's edge is computed whole into a scratch
tile, and panels of A or B cut by the matrix's edge are copied zero-padded first.

Measured on the project machine (2 cores, AVX-512): 330-390 GFLOP/s for seed 3's deep-model
products (1680x2000x3000) where NumPy's pinned OpenBLAS gives ~225; one core's micro-kernel
runs at ~240 GFLOP/s, about 94% of its FMA peak.

Used where it wins: float32, big enough products, a CPU with AVX-512 (`available()`); BLAS
does the rest. Results match BLAS to float32 rounding (the sums run in a different order);
NaN and Inf propagate as in any IEEE product (no fast-math beyond contracting a*b+c into an
FMA).
"""
__toolkit__ = True   # shared machinery for the family modules: registers no kernels

import numpy as np
from numba import njit, prange, types
from llvmlite import ir
from numba.core import cgutils
from numba.extending import intrinsic

MR, NR = 6, 64        # the register tile: 6 rows x 4 vectors of 16 floats = 24 zmm registers
KC = 768              # longest reduction slice: a B panel (KC*NR*4 = 192 KiB) and an A block
MC = 192              # (MC*KC*4 = 576 KiB) share a 1 MiB L2; longer slices mean fewer passes
                      # over C (MC = 96 gave 3-5% less on both cores of a Zen 5, 1680-2048 rows)
FEW_ROWS = 192        # fewer rows of A than this: B is not worth packing whole
_FM = {"contract"}
ALL_K_B_BYTES = 16 << 20   # B read in place up to this size: a task runs all of K (_gemm_threads)    # allow FMA contraction only: keeps IEEE NaN/Inf/signed-zero behaviour


@intrinsic
def _tile(typingctx):
    """A float32[MR*NR] array on the stack (an alloca LLVM can keep in registers).

    Also asks LLVM for 512-bit vectors in the calling function: its tuning for Intel cores
    prefers 256-bit ones (`prefer-vector-width`), which would need 48 registers for the tile
    and spill. On a CPU without AVX-512 this is a no-op (and `available()` is False)."""
    arrty = types.Array(types.float32, 1, "C")

    def codegen(context, builder, sig, args):
        # llvmlite validates attribute names against a fixed list; string attributes such as
        # this one are valid LLVM IR, so add it to the underlying set directly.
        set.add(builder.function.attributes, '"prefer-vector-width"="512"')
        # inlined into a caller, the tile loop is re-optimised under the caller's
        # attributes and loses its register allocation (measured: 240 -> 7 GFLOP/s)
        builder.function.attributes.add("noinline")
        ety = context.get_value_type(types.float32)
        ptr = cgutils.alloca_once(builder, ety, size=MR * NR)
        ary = context.make_array(arrty)(context, builder)
        itemsize = context.get_abi_sizeof(ety)
        context.populate_array(ary, data=ptr, shape=[cgutils.intp_t(MR * NR)],
                               strides=[cgutils.intp_t(itemsize)],
                               itemsize=cgutils.intp_t(itemsize), meminfo=None)
        return ary._getvalue()
    return arrty(), codegen


@intrinsic
def _prefetch_row(typingctx, arr, i, j0):
    """Prefetch (for writing) arr[i, j0:j0+NR] of a 2-D array: the tile's C lines are then
    on their way from memory while the kc-step loop runs."""
    if not isinstance(arr, types.Array) or arr.ndim != 2:
        return None

    def codegen(context, builder, sig, args):
        aryty = sig.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        i8p = cgutils.voidptr_t
        fnty = ir.FunctionType(ir.VoidType(), [i8p, ir.IntType(32), ir.IntType(32),
                                               ir.IntType(32)])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        for j in range(0, NR, 16):
            ptr = cgutils.get_item_pointer(context, builder, aryty, ary,
                                           [args[1], builder.add(args[2], cgutils.intp_t(j))],
                                           wraparound=False)
            builder.call(fn, [builder.bitcast(ptr, i8p), ir.Constant(ir.IntType(32), 1),
                              ir.Constant(ir.IntType(32), 3), ir.Constant(ir.IntType(32), 1)])
        return context.get_dummy_value()
    return types.none(arr, i, j0), codegen


@njit(cache=True, fastmath=_FM, boundscheck=False)
def _micro_kernel(kc, at, bv, ldb, c, ci, cj, accumulate):
    """c[ci:ci+MR, cj:cj+NR] (+)= A panel @ B panel, over kc steps of k (c C-contiguous).

    at[p, i] is A's row i at step p (a transposed view of MR rows of A, any strides: the
    kernel only broadcasts scalars from it); row p of the B panel is bv[p*ldb : p*ldb+NR]
    (unit stride: a packed panel has ldb = NR, B read in place has ldb = its width).

    Every loop bound is a constant but kc: an index LLVM cannot resolve at compile time
    would pin the tile in memory (measured: 240 -> 7 GFLOP/s), so ragged edge tiles go
    through `_tile_update`'s scratch tile instead of a partial store here. B's rows are
    sliced rather than indexed as bv[p*ldb + j]: numba cannot prove that index
    non-negative and would emit its negative-index wraparound per element, turning the
    four vector loads into gathers."""
    acc = _tile()
    for i in range(MR):
        _prefetch_row(c, ci + i, cj)
    for t in range(MR * NR):
        acc[t] = 0.0
    for p in range(kc):
        brow = bv[p * ldb:p * ldb + NR]
        for i in range(MR):
            a = at[p, i]
            for j in range(NR):
                acc[i * NR + j] += a * brow[j]
    # row by row through 1-D slices: an (MR, NR) view of c would have runtime strides and
    # make LLVM write the tile back with scatters
    for i in range(MR):
        crow = c[ci + i, cj:cj + NR]
        if accumulate:
            for j in range(NR):
                crow[j] += acc[i * NR + j]
        else:
            for j in range(NR):
                crow[j] = acc[i * NR + j]


@njit(cache=True, boundscheck=False)
def _tile_update(kc, at, bv, ldb, c, ci, cj, accumulate, edge):
    """The MR x NR tile of c at (ci, cj); a tile cut by c's edge is computed into the
    scratch `edge` and only its valid part stored."""
    mr = min(MR, c.shape[0] - ci)
    nr = min(NR, c.shape[1] - cj)
    if mr == MR and nr == NR:
        _micro_kernel(kc, at, bv, ldb, c, ci, cj, accumulate)
        return
    _micro_kernel(kc, at, bv, ldb, edge, 0, 0, False)
    cv = c[ci:ci + mr, cj:cj + nr]
    if accumulate:
        for i in range(mr):
            for j in range(nr):
                cv[i, j] += edge[i, j]
    else:
        for i in range(mr):
            for j in range(nr):
                cv[i, j] = edge[i, j]


@njit(cache=True, boundscheck=False)
def _pack_b_panel(b, p0, kc, j0, out):
    """b[p0:p0+kc, j0:j0+NR] row by row into out (kc*NR floats), columns past b's end zero."""
    cols = min(NR, b.shape[1] - j0)
    bv = b[p0:p0 + kc, j0:j0 + cols]
    for p in range(kc):
        o = out[p * NR:(p + 1) * NR]
        for j in range(cols):
            o[j] = bv[p, j]
        for j in range(cols, NR):
            o[j] = 0.0


@njit(cache=True)
def _slice(k):
    """Length of the KC slices K is cut into: equal ones (K = 800 is 400 + 400, not
    768 + 32, whose short slice would spend more on C's traffic than on arithmetic)."""
    n = (k + KC - 1) // KC
    return (k + n - 1) // n if n else 0


@njit(cache=True)
def packed_b_size(k, n):
    return k * ((n + NR - 1) // NR) * NR


@njit(cache=True, boundscheck=False)
def pack_b(b, bp):
    """All of b [K,N] into bp (`packed_b_size` floats): per KC slice, its NR-wide panels one
    after another (the slice starting at k = p0 begins at bp[p0 * NR * panels])."""
    k, n = b.shape
    npan = (n + NR - 1) // NR
    ks = _slice(k)
    for p0 in range(0, k, ks):
        kc = min(ks, k - p0)
        for q in range(npan):
            o = p0 * npan * NR + q * kc * NR
            _pack_b_panel(b, p0, kc, q * NR, bp[o:o + kc * NR])


@njit(cache=True, boundscheck=False)
def _block(a, b, b_flat, bps, c, i0, i1, q0, q1, p0, kc, accumulate, a_tail, b_tail,
           tail_ready, edge, bias, relu):
    """c[i0:i1, panels q0:q1] (+)= a[i0:i1, p0:p0+kc] @ b[p0:p0+kc, panels q0:q1].

    A is read in place, MR rows at a time (only a last panel shorter than MR rows is copied,
    zero-padded, into `a_tail`). B comes from `bps`, this slice's packed panels, when it has
    any; else it is read in place from `b_flat` (B C-contiguous) and only a last panel
    narrower than NR comes from `b_tail` (packed here, or by the caller if `tail_ready`).
    A non-empty `bias` (the last slice's call) is added to each tile, and Relu applied if
    `relu`, right after the tile is stored, while it is in L1 (`_epilogue`)."""
    m = a.shape[0]
    n = c.shape[1]
    for q in range(q0, q1):
        j0 = q * NR
        if bps.size > 0:
            bv = bps[q * kc * NR:(q + 1) * kc * NR]
            ldb = NR
        elif j0 + NR <= n:
            bv = b_flat[p0 * n + j0:p0 * n + j0 + (kc - 1) * n + NR]
            ldb = n
        else:
            if not tail_ready:
                _pack_b_panel(b, p0, kc, j0, b_tail)
            bv = b_tail[:kc * NR]
            ldb = NR
        for r in range(i0, i1, MR):
            if r + MR <= m:
                at = a[r:r + MR, p0:p0 + kc].T
            else:
                rows = m - r
                a_tail[:, :kc] = 0.0
                a_tail[:rows, :kc] = a[r:m, p0:p0 + kc]
                at = a_tail[:, :kc].T
            _tile_update(kc, at, bv, ldb, c, r, j0, accumulate, edge)
            if bias.size > 0:
                _epilogue(c, r, min(m, r + MR), j0, min(n, j0 + NR), bias, relu)


@njit(cache=True, boundscheck=False)
def _epilogue(c, i0, i1, j0, j1, bias, relu):
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
    npan = (n + NR - 1) // NR
    a_tail, b_tail, edge = scratch
    b_flat = b.reshape(-1) if bp.size == 0 else bp
    ks = _slice(k)
    for p0 in range(0, k, ks):
        kc = min(ks, k - p0)
        bps = bp[p0 * npan * NR:(p0 + kc) * npan * NR]
        for i0 in range(0, m, MC):
            _block(a, b, b_flat, bps, c, i0, min(m, i0 + MC), 0, npan, p0, kc,
                   accumulate or p0 > 0, a_tail, b_tail, False, edge, _NO_BIAS, False)


_NO_BIAS = np.empty(0, np.float32)


@njit(cache=True)
def serial_scratch():
    return (np.empty((MR, KC), np.float32), np.empty(KC * NR, np.float32),
            np.empty((MR, NR), np.float32))


@njit(cache=True, nogil=True, boundscheck=False)
def _pack_panels(b, p0, kc, bp, q0, q1):
    """B's panels q0..q1-1 of the KC slice at p0, packed (one block of the pack phase)."""
    for q in range(q0, q1):
        _pack_b_panel(b, p0, kc, q * NR, bp[q * kc * NR:(q + 1) * kc * NR])


@njit(cache=True, inline="always")
def _task_block(m, n, t, n_tasks_j):
    """Rows i0..i1 and B panels q0..q1 of task t: one MC block of rows times one of
    n_tasks_j groups of panels."""
    npan = (n + NR - 1) // NR
    per = (npan + n_tasks_j - 1) // n_tasks_j
    ib = t // n_tasks_j
    jb = t - ib * n_tasks_j
    return ib * MC, min(m, (ib + 1) * MC), jb * per, min(npan, (jb + 1) * per)


@njit(cache=True, nogil=True, boundscheck=False)
def _gemm_task(a, b, b_flat, bp, b_tail, c, t, n_tasks_j, p0, kc, bias, relu):
    """Task t of a KC slice (the epilogue `bias`, `relu` given for the last slice only)."""
    i0, i1, q0, q1 = _task_block(a.shape[0], b.shape[1], t, n_tasks_j)
    npan = (b.shape[1] + NR - 1) // NR
    _block(a, b, b_flat, bp[:npan * NR * kc], c, i0, i1, q0, q1, p0, kc, p0 > 0,
           np.empty((MR, KC), np.float32), b_tail, True, np.empty((MR, NR), np.float32),
           bias, relu)


@njit(cache=True, nogil=True, boundscheck=False)
def _gemm_task_all_k(a, b, b_flat, b_tails, c, t, n_tasks_j, ks, bias, relu):
    """Task t over every KC slice in turn, B read in place (its ragged last panel of slice s
    packed at b_tails[s*ks*NR:])."""
    k = a.shape[1]
    i0, i1, q0, q1 = _task_block(a.shape[0], b.shape[1], t, n_tasks_j)
    a_tail = np.empty((MR, KC), np.float32)
    edge = np.empty((MR, NR), np.float32)
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
    npan = (n + NR - 1) // NR
    for p0 in range(0, k, ks):
        kc = min(ks, k - p0)
        s = p0 // ks
        _pack_b_panel(b, p0, kc, (npan - 1) * NR, b_tails[s * ks * NR:(s + 1) * ks * NR])


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
    npan = (n + NR - 1) // NR
    ks = _slice(k)
    n_tasks = ((m + MC - 1) // MC) * n_tasks_j
    if not pack and k * n * 4 <= ALL_K_B_BYTES:
        b_tails = np.empty(-(-k // ks) * ks * NR, np.float32)
        if n % NR:
            _pack_tails(b, ks, b_tails)
        map_blocks(lambda t: _gemm_task_all_k(a, b, b_flat, b_tails, c, t, n_tasks_j, ks,
                                              bias, relu), n_tasks, nt)
        return
    bp = np.empty(npan * NR * ks if pack else 0, np.float32)
    b_tail = np.empty(ks * NR, np.float32)
    pack_per = max(1, -(-npan // (4 * nt)))
    for p0 in range(0, k, ks):
        kc = min(ks, k - p0)
        if pack:
            map_blocks(lambda i: _pack_panels(b, p0, kc, bp, i * pack_per,
                                              min(npan, (i + 1) * pack_per)),
                       -(-npan // pack_per), nt)
        elif n % NR:
            _pack_tail(b, p0, kc, (npan - 1) * NR, b_tail)
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
            _epilogue(c, 0, m, 0, n, epi, relu)
        return c
    if k == 0:
        c = np.zeros((m, n), np.float32)
        if epi.size:
            _epilogue(c, 0, m, 0, n, epi, relu)
        return c
    c = np.empty((m, n), np.float32)
    npan = -(-n // NR)
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


def micro_kernel_asm():
    """The micro-kernel's machine code, to check that the tile stays in registers (compiled
    afresh: numba keeps no assembly for code it loads from its on-disk cache)."""
    fresh = njit(fastmath=_FM, boundscheck=False)(_micro_kernel.py_func)
    at = np.zeros((MR, 1), np.float32).T
    fresh(1, at, np.zeros(NR, np.float32), NR, np.zeros((MR, NR), np.float32), 0, 0, False)
    return fresh.inspect_asm(fresh.signatures[0])
