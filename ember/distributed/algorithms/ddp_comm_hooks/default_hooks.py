"""Default DDP comm hooks: hook(state, bucket) -> Future whose value is the reduced bucket
buffer. `state` is the process group (None = default group)."""
from ... import distributed_c10d as dist

__all__ = ['allreduce_hook', 'fp16_compress_hook', 'bf16_compress_hook']


def allreduce_hook(process_group, bucket):
    """Average the bucket across ranks (divide first, then all-reduce SUM)."""
    pg = dist._pg(process_group)
    tensor = bucket.buffer().div_(pg.size())
    return dist._all_reduce_unchecked(tensor, dist.ReduceOp.SUM, pg).get_future().then(
        lambda fut: fut.value()[0])


def _compress_hook(dtype, process_group, bucket):
    pg = dist._pg(process_group)
    buffer = bucket.buffer()
    compressed = buffer.div(pg.size()).to(dtype)
    fut = dist._all_reduce_unchecked(compressed, dist.ReduceOp.SUM, pg).get_future()

    def decompress(fut):
        buffer.copy_(fut.value()[0])
        return buffer
    return fut.then(decompress)


def fp16_compress_hook(process_group, bucket):
    """All-reduce the bucket cast to float16 (half the bytes), then cast back."""
    from .... import float16
    return _compress_hook(float16, process_group, bucket)


def bf16_compress_hook(process_group, bucket):
    """All-reduce the bucket cast to bfloat16, then cast back."""
    from .... import bfloat16
    return _compress_hook(bfloat16, process_group, bucket)
