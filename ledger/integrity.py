"""Merkle trees as RFC 6962 / RFC 9162 §2.1 define them: pure, no database.

Usable by auditors on their own. Hashing is SHA-256; a leaf hash is
``H(0x00 ‖ leaf)``, an interior node ``H(0x01 ‖ left ‖ right)``; a tree of n
leaves splits at the largest power of two smaller than n; the empty tree's
root is ``H("")``. ``leaves`` are leaf *inputs* (bytes), not their hashes.

    >>> root = merkle_root([b"a", b"b", b"c"])
    >>> proof = inclusion_proof([b"a", b"b", b"c"], 2)
    >>> verify_inclusion(b"c", 2, 3, proof, root)
    True

Proofs follow RFC 9162 §2.1.3 (inclusion) and §2.1.4 (consistency); the
verifiers are the RFC's algorithms, iterative, with no recursion.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "EMPTY_ROOT",
    "consistency_proof",
    "consistency_ranges",
    "inclusion_proof",
    "inclusion_ranges",
    "leaf_hash",
    "merkle_root",
    "node_hash",
    "root_from_hashes",
    "subtrees",
    "verify_consistency",
    "verify_inclusion",
]

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaf *hashes*, iteratively (the same tree as the recursion)."""
    if not hashes:
        return EMPTY_ROOT
    # Complete subtrees on the right edge, largest first: a binary counter.
    stack: list[tuple[int, bytes]] = []
    for hashed in hashes:
        size, node = 1, hashed
        while stack and stack[-1][0] == size:
            left_size, left = stack.pop()
            size, node = left_size + size, node_hash(left, node)
        stack.append((size, node))
    node = stack.pop()[1]
    while stack:
        node = node_hash(stack.pop()[1], node)
    return node


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    return root_from_hashes([leaf_hash(leaf) for leaf in leaves])


def inclusion_ranges(index: int, size: int, start: int = 0) -> list[tuple[int, int]]:
    """The leaf ranges whose subtree hashes form PATH(index, D[size]), in order.

    Shared by the pure proofs below and by proofs served from stored nodes:
    every range starts at a multiple of its largest power-of-two part.
    """
    if size <= 1:
        return []
    k = _split(size)
    if index < k:
        return [*inclusion_ranges(index, k, start), (start + k, start + size)]
    return [*inclusion_ranges(index - k, size - k, start + k), (start, start + k)]


def consistency_ranges(
    old_size: int, size: int, start: int = 0, complete: bool = True
) -> list[tuple[int, int]]:
    """The leaf ranges of SUBPROOF(old_size, D[size], complete), in order."""
    if old_size == size:
        return [] if complete else [(start, start + size)]
    k = _split(size)
    if old_size <= k:
        return [
            *consistency_ranges(old_size, k, start, complete),
            (start + k, start + size),
        ]
    return [
        *consistency_ranges(old_size - k, size - k, start + k, False),
        (start, start + k),
    ]


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    if not 0 <= index < len(leaves):
        raise ValueError(f"index {index} is outside a tree of {len(leaves)} leaves")
    hashes = [leaf_hash(leaf) for leaf in leaves]
    return [
        root_from_hashes(hashes[a:b]) for a, b in inclusion_ranges(index, len(hashes))
    ]


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """Proof that the first ``old_size`` leaves are a prefix of ``leaves``."""
    if not 0 <= old_size <= len(leaves):
        raise ValueError(f"old size {old_size} is outside 0..{len(leaves)}")
    if old_size in (0, len(leaves)):
        return []
    hashes = [leaf_hash(leaf) for leaf in leaves]
    return [
        root_from_hashes(hashes[a:b])
        for a, b in consistency_ranges(old_size, len(hashes))
    ]


def subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """A range as aligned complete subtrees (level, index), left to right."""
    parts = []
    while start < end:
        level = (end - start).bit_length() - 1
        # The largest aligned power of two that starts here and fits.
        while start % (1 << level):
            level -= 1
        parts.append((level, start >> level))
        start += 1 << level
    return parts


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2, for a leaf input."""
    return verify_inclusion_hash(leaf_hash(leaf), index, size, proof, root)


def verify_inclusion_hash(
    hashed: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, hashed
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """RFC 9162 §2.1.4.2."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof  # every tree extends the empty one
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: its root starts the path
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn & 1 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
