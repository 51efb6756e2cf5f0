"""GPU matrix multiplication, the GEMM behind MatMul and BatchMatMulV2 (kernels/cuda/linalg.py)
and the convolutions (nn.py).

Two kernels, chosen by size:

1. `tiled_kernel` -- the lesson version (read this one first). A 16x16 block of threads
   computes a 16x16 tile of C. The K dimension is walked 16 at a time: the block copies a
   16x16 tile of A and of B into shared memory (one element per thread), waits
   (`syncthreads`), and each thread adds 16 products from shared memory. Every element of
   A and B is read from global memory N/16 times instead of N times. Operands are addressed
   through strides, so transposes and broadcast batches cost nothing. ~0.16x cuBLAS.

2. `fast_kernel` -- register blocking, for float32 when the work is large. A block of 256
   threads computes a 128x128 tile of C (64x64 with 64 threads when n <= 1024, so enough
   blocks exist to fill the GPU); each thread keeps an 8x8 piece of C in 64 registers, split
   into 4-wide quads at +0 and +64 so a warp's shared-memory reads are contiguous. Per
   K-step of 16: A's tile is stored transposed in shared memory (rows padded by 4 floats:
   no bank conflicts), B's tile as is; both are read with 128-bit vector loads; two shared
   buffers let the next K-tile be fetched into registers while the current one is
   multiplied, with one `syncthreads` per step. numba cannot unroll the K-step loop, so the
   kernel's source is generated with the 16x64 multiply-adds written out, and
   `launch_bounds=(256, 2)` caps registers at 128 so two blocks share an SM.
   This follows the recipe measured at 0.88x cuBLAS on an H100 (shared/ENVIRONMENT.md).
   Operands that are transposed or not multiples of the tile are first copied into padded
   row-major buffers (O(n^2) work next to the O(n^3) product).
"""
__toolkit__ = True   # shared machinery for the family modules: registers no kernels

import math

import numpy as np

from . import _dev
from ._dev import cuda

TILE = 16
_KERNELS = {}

# The fast path pays off only above this many multiply-adds (about 256^3).
FAST_MIN_FLOPS = int(float(__import__("os").environ.get("TFTEACH_CUDA_FAST_MIN", 2 ** 24)))


# --- 1. the lesson kernel -----------------------------------------------------------------
def tiled_kernel(np_dtype):
    """The 16x16 shared-memory tiled kernel for one dtype (compiled once per dtype)."""
    key = ("tiled", np.dtype(np_dtype))
    k = _KERNELS.get(key)
    if k is not None:
        return k
    from numba import types as nbt
    dt = nbt.float32 if np.dtype(np_dtype) == np.float32 else nbt.float64
    zero = np.dtype(np_dtype).type(0)

    def matmul_tiled(a, b, c, M, N, K, sa, sb, bshape, abst, bbst):
        # a(i, k) = a[off_a + i*sa[0] + k*sa[1]]; b(k, j) likewise; c is (batch, M, N).
        tA = cuda.shared.array((TILE, TILE), dt)
        tB = cuda.shared.array((TILE, TILE), dt)
        tx = cuda.threadIdx.x
        ty = cuda.threadIdx.y
        row = cuda.blockIdx.y * TILE + ty
        col = cuda.blockIdx.x * TILE + tx
        batch = cuda.blockIdx.z
        off_a = 0
        off_b = 0
        rem = batch
        for d in range(len(bshape) - 1, -1, -1):
            coord = rem % bshape[d]
            rem //= bshape[d]
            off_a += coord * abst[d]
            off_b += coord * bbst[d]
        acc = zero
        for t in range((K + TILE - 1) // TILE):
            k = t * TILE + tx
            if row < M and k < K:
                tA[ty, tx] = a[off_a + row * sa[0] + k * sa[1]]
            else:
                tA[ty, tx] = zero
            k = t * TILE + ty
            if k < K and col < N:
                tB[ty, tx] = b[off_b + k * sb[0] + col * sb[1]]
            else:
                tB[ty, tx] = zero
            cuda.syncthreads()
            for j in range(TILE):
                acc += tA[ty, j] * tB[j, tx]
            cuda.syncthreads()
        if row < M and col < N:
            c[(batch * M + row) * N + col] = acc

    k = _KERNELS[key] = cuda.jit(matmul_tiled)
    return k


def matmul_tiled(a, b, transpose_a=False, transpose_b=False, out_batch_shape=(),
                 a_batch_strides=(0,), b_batch_strides=(0,)):
    """C = op(A) @ op(B) with the lesson kernel; a, b: contiguous device arrays."""
    ash, bsh = tuple(a.shape), tuple(b.shape)
    st_a, st_b = _dev.c_strides(ash), _dev.c_strides(bsh)
    # (row stride, column stride) of the logical operands
    sa = (st_a[-1], st_a[-2]) if transpose_a else (st_a[-2], st_a[-1])
    sb = (st_b[-1], st_b[-2]) if transpose_b else (st_b[-2], st_b[-1])
    M = ash[-1] if transpose_a else ash[-2]
    K = ash[-2] if transpose_a else ash[-1]
    N = bsh[-2] if transpose_b else bsh[-1]
    batch = _dev.size_of(out_batch_shape)
    c = _dev.empty(tuple(out_batch_shape) + (M, N), a.dtype)
    if batch * M * N == 0:
        return c
    if K == 0:
        return _dev.to_device(np.zeros(tuple(out_batch_shape) + (M, N), np.dtype(a.dtype)))
    grid = (math.ceil(N / TILE), math.ceil(M / TILE), batch)
    bshape = tuple(int(d) for d in out_batch_shape) or (1,)
    tiled_kernel(a.dtype)[grid, (TILE, TILE)](
        _dev.flat(a), _dev.flat(b), _dev.flat(c), M, N, K, sa, sb, bshape,
        tuple(a_batch_strides), tuple(b_batch_strides))
    return c


# --- 2. the fast kernel --------------------------------------------------------------------
def _vector_helpers():
    """ld4/st4: 128-bit loads and stores of 4 float32 (an LLVM vector access on a GPU; four
    scalar accesses under the simulator, which cannot run LLVM intrinsics)."""
    if "ld4" in _KERNELS:
        return _KERNELS["ld4"], _KERNELS["st4"]
    if _dev.SIM or __import__("os").environ.get("TFTEACH_CUDA_VECTOR", "1") == "0":
        @cuda.jit(device=True)
        def ld4(arr, i):
            return arr[i], arr[i + 1], arr[i + 2], arr[i + 3]

        @cuda.jit(device=True)
        def st4(arr, i, v0, v1, v2, v3):
            arr[i] = v0
            arr[i + 1] = v1
            arr[i + 2] = v2
            arr[i + 3] = v3
    else:
        ld4, st4 = _intrinsics()
    _KERNELS["ld4"], _KERNELS["st4"] = ld4, st4
    return ld4, st4


def _intrinsics():
    from llvmlite import ir
    from numba.cuda import types
    from numba.cuda.extending import intrinsic

    def _ptr(context, builder, aryty, ary_val, idx_val, idxty):
        ary = context.make_array(aryty)(context, builder, ary_val)
        idx = context.cast(builder, idx_val, idxty, types.intp)
        ptr = builder.gep(ary.data, [idx])      # no bounds or negative-index checks
        vec = ir.VectorType(ir.FloatType(), 4)
        return builder.bitcast(ptr, vec.as_pointer(ptr.type.addrspace))

    @intrinsic
    def ld4(typingctx, arr, idx):
        sig = types.UniTuple(types.float32, 4)(arr, idx)

        def codegen(context, builder, signature, args):
            vptr = _ptr(context, builder, signature.args[0], args[0], args[1],
                        signature.args[1])
            vec = builder.load(vptr, align=16)
            elems = [builder.extract_element(vec, ir.Constant(ir.IntType(32), i))
                     for i in range(4)]
            return context.make_tuple(builder, signature.return_type, elems)
        return sig, codegen

    @intrinsic
    def st4(typingctx, arr, idx, v0, v1, v2, v3):
        sig = types.void(arr, idx, types.float32, types.float32, types.float32, types.float32)

        def codegen(context, builder, signature, args):
            vptr = _ptr(context, builder, signature.args[0], args[0], args[1],
                        signature.args[1])
            vec = ir.Constant(ir.VectorType(ir.FloatType(), 4), None)
            for i in range(4):
                v = context.cast(builder, args[2 + i], signature.args[2 + i], types.float32)
                vec = builder.insert_element(vec, v, ir.Constant(ir.IntType(32), i))
            builder.store(vec, vptr, align=16)
            return context.get_dummy_value()
        return sig, codegen

    return ld4, st4


def _fast_source(BM, BN, BK, aligned=True):
    """Python source of the register-blocked kernel for one tile configuration.
    `aligned`: declare the shared tiles 16-byte aligned, as 128-bit accesses need (the
    simulator refuses the alignment argument, and needs none)."""
    TM = TN = 8
    NT = (BM // TM) * (BN // TN)          # threads per block
    TXN = BN // TN                        # threads along N
    HM, HN = BM // 2, BN // 2             # the two quads of a thread sit HM (HN) apart
    AS = BM + 4                           # padded row of A's transposed tile
    LA = BM * BK // 4 // NT               # float4 loads of A per thread per K-step
    LB = BK * BN // 4 // NT
    KQ = BK // 4
    NQ = BN // 4
    L = []
    w = L.append
    w("def kernel(A, B, C, M, N, K):")
    al = ", alignment=16" if aligned else ""
    w(f"    As = cuda.shared.array({2 * BK * AS}, float32{al})")
    w(f"    Bs = cuda.shared.array({2 * BK * BN}, float32{al})")
    w("    tid = cuda.threadIdx.x")
    w(f"    tx = tid % {TXN}")
    w(f"    ty = tid // {TXN}")
    w(f"    bm0 = cuda.blockIdx.y * {BM}")
    w(f"    bn0 = cuda.blockIdx.x * {BN}")
    for i in range(TM):
        for j in range(TN):
            w(f"    c{i}_{j} = float32(0)")
    # global -> register loads of one K-tile (into ra*/rb*), register -> shared stores
    def load_tile(k0):
        for l in range(LA):
            w(f"        f = tid + {l * NT}")
            w(f"        ra{l}_0, ra{l}_1, ra{l}_2, ra{l}_3 = ld4(A, (bm0 + f // {KQ}) * K + "
              f"{k0} + (f % {KQ}) * 4)")
        for l in range(LB):
            w(f"        f = tid + {l * NT}")
            w(f"        rb{l}_0, rb{l}_1, rb{l}_2, rb{l}_3 = ld4(B, ({k0} + f // {NQ}) * N + "
              f"bn0 + (f % {NQ}) * 4)")

    def store_tile(buf):
        for l in range(LA):
            w(f"        f = tid + {l * NT}")
            w(f"        r = f // {KQ}")
            w(f"        kk = (f % {KQ}) * 4")
            for q in range(4):
                w(f"        As[{buf} + (kk + {q}) * {AS} + r] = ra{l}_{q}")
        for l in range(LB):
            w(f"        f = tid + {l * NT}")
            w(f"        st4(Bs, {buf.replace('AS_', 'BS_')} + (f // {NQ}) * {BN} + (f % {NQ}) * 4, "
              f"rb{l}_0, rb{l}_1, rb{l}_2, rb{l}_3)")

    w("    if True:")
    load_tile("0")
    w("        cur = 0")
    w("        AS_cur = 0")
    w("        BS_cur = 0")
    store_tile("AS_cur")
    w("    cuda.syncthreads()")
    w(f"    nk = K // {BK}")
    w("    for t in range(nk):")
    w("        AS_cur = (t % 2) * " + str(BK * AS))
    w("        BS_cur = (t % 2) * " + str(BK * BN))
    w(f"        AS_nxt = {BK * AS} - AS_cur")
    w(f"        BS_nxt = {BK * BN} - BS_cur")
    w("        more = t + 1 < nk")
    w("        if more:")
    # prefetch next tile into registers (indented one more level)
    start = len(L)
    load_tile(f"(t + 1) * {BK}")
    for i in range(start, len(L)):
        L[i] = "    " + L[i]
    for k in range(BK):
        w(f"        a0, a1, a2, a3 = ld4(As, AS_cur + {k * AS} + ty * 4)")
        w(f"        a4, a5, a6, a7 = ld4(As, AS_cur + {k * AS + HM} + ty * 4)")
        w(f"        b0, b1, b2, b3 = ld4(Bs, BS_cur + {k * BN} + tx * 4)")
        w(f"        b4, b5, b6, b7 = ld4(Bs, BS_cur + {k * BN + HN} + tx * 4)")
        for i in range(TM):
            for j in range(TN):
                w(f"        c{i}_{j} += a{i} * b{j}")
    w("        if more:")
    start = len(L)
    store_tile("AS_nxt")
    for i in range(start, len(L)):
        L[i] = "    " + L[i]
    w("        cuda.syncthreads()")
    # epilogue: rows ty*4+i (+HM for i>=4), columns tx*4+j (+HN for j>=4)
    for i in range(TM):
        row = f"bm0 + ty * 4 + {i % 4 + (HM if i >= 4 else 0)}"
        for h in range(2):
            col = f"bn0 + tx * 4 + {HN if h else 0}"
            vals = ", ".join(f"c{i}_{h * 4 + q}" for q in range(4))
            w(f"    st4(C, ({row}) * N + {col}, {vals})")
    return "\n".join(L) + "\n"


def fast_kernel(BM=128, BN=128, BK=16):
    key = ("fast", BM, BN, BK)
    k = _KERNELS.get(key)
    if k is not None:
        return k
    ld4, st4 = _vector_helpers()
    from numba import float32
    src = _fast_source(BM, BN, BK, aligned=not _dev.SIM)
    ns = {"cuda": cuda, "float32": float32, "ld4": ld4, "st4": st4}
    exec(compile(src, f"<tfteach cuda sgemm {BM}x{BN}x{BK}>", "exec"), ns)
    nt = (BM // 8) * (BN // 8)
    k = _dev.jit(launch_bounds=(nt, 2) if nt == 256 else (nt,))(ns["kernel"])
    k.threads = nt
    _KERNELS[key] = k
    return k


def tiles_for(M, N, K):
    """128x128 tiles when they give every SM work; 64x64 for smaller products."""
    if M * N >= 2048 * 2048 or (M >= 2048 and N >= 2048):
        return 128, 128, 16
    return 64, 64, 16


def _padded(x, rows, cols, transpose):
    """A contiguous (rows, cols) float32 copy of x (or of x.T), zero-padded."""
    r0, c0 = (x.shape[1], x.shape[0]) if transpose else (x.shape[0], x.shape[1])
    if not transpose and (r0, c0) == (rows, cols):
        return x
    out = _dev.empty((rows, cols), np.float32)
    _copy_pad_kernel()[(_dev.blocks_for(rows * cols),), _dev.TPB](
        _dev.flat(x), _dev.flat(out), r0, c0, cols, rows * cols, x.shape[1],
        1 if transpose else 0)
    return out


def _copy_pad_kernel():
    k = _KERNELS.get("pad")
    if k is None:
        @cuda.jit
        def copy_pad(src, dst, r0, c0, cols, n, src_cols, transpose):
            i = cuda.grid(1)
            if i < n:
                r = i // cols
                c = i % cols
                v = float32_zero
                if r < r0 and c < c0:
                    v = src[c * src_cols + r] if transpose else src[r * src_cols + c]
                dst[i] = v
        k = _KERNELS["pad"] = copy_pad
    return k


float32_zero = np.float32(0)


def _crop_kernel():
    k = _KERNELS.get("crop")
    if k is None:
        @cuda.jit
        def crop(src, dst, M, N, src_cols):
            i = cuda.grid(1)
            if i < M * N:
                dst[i] = src[(i // N) * src_cols + i % N]
        k = _KERNELS["crop"] = crop
    return k


def matmul_fast(a, b, transpose_a=False, transpose_b=False, tiles=None):
    """C = op(A) @ op(B) for 2-D float32 device arrays with the register-blocked kernel."""
    M = a.shape[1] if transpose_a else a.shape[0]
    K = a.shape[0] if transpose_a else a.shape[1]
    N = b.shape[0] if transpose_b else b.shape[1]
    BM, BN, BK = tiles or tiles_for(M, N, K)
    Mp, Np, Kp = (-(-M // BM) * BM, -(-N // BN) * BN, -(-K // BK) * BK)
    ap = _padded(a, Mp, Kp, transpose_a)
    bp = _padded(b, Kp, Np, transpose_b)
    c = _dev.empty((Mp, Np), np.float32)
    k = fast_kernel(BM, BN, BK)
    k[(Np // BN, Mp // BM), k.threads](_dev.flat(ap), _dev.flat(bp), _dev.flat(c), Mp, Np, Kp)
    if (Mp, Np) == (M, N):
        return c
    out = _dev.empty((M, N), np.float32)
    if M * N:
        _crop_kernel()[(_dev.blocks_for(M * N),), _dev.TPB](_dev.flat(c), _dev.flat(out),
                                                              M, N, Np)
    return out


def matmul(a, b, transpose_a=False, transpose_b=False):
    a = _dev.contiguous(_dev.dev(a))
    b = _dev.contiguous(_dev.dev(b))
    M = a.shape[1] if transpose_a else a.shape[0]
    K = a.shape[0] if transpose_a else a.shape[1]
    N = b.shape[0] if transpose_b else b.shape[1]
    if np.dtype(a.dtype) == np.float32 and M * N * K >= FAST_MIN_FLOPS and M and N and K:
        return matmul_fast(a, b, transpose_a, transpose_b)
    return matmul_tiled(a, b, transpose_a, transpose_b)


