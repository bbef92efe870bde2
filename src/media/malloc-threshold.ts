/**
 * Keeps glibc's malloc from handing libvips' buffers back to the kernel after every image.
 *
 * glibc serves blocks above its mmap threshold (128 KiB at start) with fresh mappings and unmaps
 * them on free, and trims the top of each arena beyond twice that; libvips allocates and frees
 * buffers of hundreds of KiB to several MiB per image, so a new server faults every page in again
 * for each one: ~1,200 page faults and ~30 % more CPU per 12 MP photo than the same rendering in
 * a process whose allocator has grown out of that. glibc raises the threshold to the size of a
 * mapped block when one is freed (up to 32 MiB; mallopt(3), "M_MMAP_THRESHOLD"), so one such
 * block freed at start-up sets it, and the trim threshold to twice it, for the process's life.
 * Elsewhere (musl, macOS) it is one short-lived allocation.
 */
const MAPPED_BLOCK_BYTES = 30 * 2 ** 20;

/** Allocates the block and lets it go: the next garbage collection frees it. */
export function raiseMallocThreshold(): void {
  Buffer.allocUnsafeSlow(MAPPED_BLOCK_BYTES);
}
