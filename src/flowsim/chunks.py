"""Every core, same answer: kernels that visit many agents run by fixed chunks, on threads.

The agents are cut into chunks of ``CHUNK`` consecutive rows (64 words of the status bitmaps of
``population.Agents``); a chunk kernel ``kernel(first, last, step, ...)`` does the work of chunks
``first, first + step, ...`` below ``last``, changing only its own agents and counting into its own rows of per-chunk
buffers, which the caller adds up in chunk order. :func:`run` deals the chunks out to the
threads in turn and runs them at once: chunk kernels are compiled ``nogil``,
so Python threads run them in parallel. Chunks never depend on the number of threads, draws are
counter-based per agent, and sums are taken chunk by chunk in chunk order, so the results are
the same, bit for bit, whatever ``NUMBA_NUM_THREADS`` is (``numba.get_num_threads()``).

Numba's own ``prange`` would do the same, but compiling its parallel loops cost 3 to 10 s per
kernel here (numba 0.68), against a first-use budget of 10 s for the whole engine; it also loses
writes made through a named tuple inside the loop (numba issues 5872, 7135).

The threads are one pool per process, made on first use, like numba's own worker threads: it
holds no state of any model (each call hands it the kernel and its arrays), so models in one
process still share nothing.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numba

from flowsim.population import CHUNK_WORDS

CHUNK = CHUNK_WORDS * 64  # agents
MIN_PARALLEL_CHUNKS = 8  # fewer chunks than this run on the calling thread (same results)

_pool: ThreadPoolExecutor | None = None
_pool_threads = 0


def n_chunks(words: int) -> int:
    """Chunks covering ``words`` words of a status bitmap (64 agents a word)."""
    return (words + CHUNK_WORDS - 1) // CHUNK_WORDS


def threads() -> int:
    """Threads the chunk kernels use: numba's setting (``NUMBA_NUM_THREADS``)."""
    return max(1, numba.get_num_threads())


def run(kernel, chunks: int, *args) -> None:
    """``kernel(first, last, step, *args)`` over chunks ``0 .. chunks - 1``: thread k of t does
    chunks k, k + t, k + 2t, ... (interleaved, so that each thread gets old and new agents alike:
    the work of a day is mostly among the newest)."""
    global _pool, _pool_threads
    t = min(threads(), chunks)
    if t <= 1 or chunks < MIN_PARALLEL_CHUNKS:
        kernel(0, chunks, 1, *args)
        return
    if _pool is None or _pool_threads < t:
        _pool = ThreadPoolExecutor(max_workers=t, thread_name_prefix="flowsim")
        _pool_threads = t
    futures = [_pool.submit(kernel, k, chunks, t, *args) for k in range(1, t)]
    kernel(0, chunks, t, *args)  # the calling thread takes the first share
    for f in futures:
        f.result()
