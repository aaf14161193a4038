"""The Merkle API against RFC 6962's published vectors and by property."""

from __future__ import annotations

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from ledger.integrity import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    verify_consistency,
    verify_inclusion,
)

# The Certificate Transparency reference leaves and tree heads (RFC 6962).
LEAVES = [
    bytes.fromhex(h)
    for h in (
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]  # fmt: skip
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
CONSISTENCY = {
    (2, 8): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}


def test_empty_tree_and_leaf_hashing_follow_the_rfc() -> None:
    assert merkle_root([]) == EMPTY_ROOT
    assert EMPTY_ROOT.hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert leaf_hash(b"").hex() == ROOTS[0]


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_published_tree_heads(size: int) -> None:
    assert merkle_root(LEAVES[:size]).hex() == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size"), sorted(INCLUSION))
def test_inclusion_proofs_match_the_published_ones(index: int, size: int) -> None:
    proof = inclusion_proof(LEAVES[:size], index)
    assert [p.hex() for p in proof] == INCLUSION[index, size]
    root = bytes.fromhex(ROOTS[size - 1])
    assert verify_inclusion(LEAVES[index], index, size, proof, root)


@pytest.mark.parametrize(("old", "new"), sorted(CONSISTENCY))
def test_consistency_proofs_match_the_published_ones(old: int, new: int) -> None:
    proof = consistency_proof(LEAVES[:new], old)
    assert [p.hex() for p in proof] == CONSISTENCY[old, new]
    old_root, new_root = (bytes.fromhex(ROOTS[s - 1]) for s in (old, new))
    assert verify_consistency(old, new, old_root, new_root, proof)


def _leaves(n: int) -> list[bytes]:
    return [i.to_bytes(4, "big") * (i % 3 + 1) for i in range(n)]


def test_every_inclusion_proof_verifies_up_to_a_few_hundred_leaves() -> None:
    for size in range(1, 300, 7):
        leaves = _leaves(size)
        root = merkle_root(leaves)
        for index in {0, size // 2, size - 1, (size * 7) // 11}:
            proof = inclusion_proof(leaves, index)
            assert verify_inclusion(leaves[index], index, size, proof, root)
            assert not verify_inclusion(leaves[index] + b"x", index, size, proof, root)
            if size > 1:
                other = (index + 1) % size
                assert not verify_inclusion(leaves[index], other, size, proof, root)


@settings(max_examples=300, deadline=None)
@given(size=st.integers(1, 400), data=st.data())
def test_inclusion_holds_and_tampering_fails(size: int, data: st.DataObject) -> None:
    leaves = _leaves(size)
    index = data.draw(st.integers(0, size - 1))
    proof = inclusion_proof(leaves, index)
    root = merkle_root(leaves)
    assert verify_inclusion(leaves[index], index, size, proof, root)
    if proof:
        bad = list(proof)
        at = data.draw(st.integers(0, len(bad) - 1))
        bad[at] = bytes(32)
        assert not verify_inclusion(leaves[index], index, size, bad, root)
    # A proof never verifies past the end of the tree it claims.
    assert not verify_inclusion(leaves[index], size, size, proof, root)


@settings(max_examples=300, deadline=None)
@given(new=st.integers(1, 400), data=st.data())
def test_consistency_holds_and_a_rewritten_prefix_fails(
    new: int, data: st.DataObject
) -> None:
    old = data.draw(st.integers(1, new))
    leaves = _leaves(new)
    proof = consistency_proof(leaves, old)
    old_root, new_root = merkle_root(leaves[:old]), merkle_root(leaves)
    assert verify_consistency(old, new, old_root, new_root, proof)
    forged = [b"forged", *leaves[1:old]]
    assert not verify_consistency(old, new, merkle_root(forged), new_root, proof)
    if proof:
        assert not verify_consistency(old, new, old_root, new_root, proof[:-1])
