"""The stored Merkle log on both backends agrees with the pure computation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.models import parse_command
from ledger.integrity import merkle_root, verify_consistency, verify_inclusion
from ledger.leaves import encode_leaf
from projections.merkle import MerkleStore

if TYPE_CHECKING:
    from commands.service import Kirjuri


def _fill(kirjuri: Kirjuri, subjects: int) -> None:
    for i in range(subjects):
        kirjuri.execute(
            parse_command(
                {
                    "kind": "register",
                    "company": f"Yritys {i} Oy",
                    "source": "subject",
                    "email": f"h{i}@yritys.example",
                    "name": f"Henkilö {i}",
                }
            ),
            catch_up=i % 4 == 0,  # batches of uneven sizes
        )
    kirjuri.catch_up()


def _leaves(kirjuri: Kirjuri) -> list[bytes]:
    notifications = kirjuri.ledger.notifications(0, 10**6)
    return [
        encode_leaf(n.originator_id, n.originator_version, n.topic, n.state)
        for n in notifications
    ]


def test_stored_tree_has_the_root_of_the_stored_events(kirjuri: Kirjuri) -> None:
    _fill(kirjuri, 9)
    leaves = _leaves(kirjuri)
    store = MerkleStore(kirjuri.ledger.database)
    assert store.size() == len(leaves) == kirjuri.ledger.head()
    for size in (1, 2, 3, 7, 16, 17, len(leaves)):
        assert store.root(size) == merkle_root(leaves[:size])


def test_proofs_served_from_the_store_verify(kirjuri: Kirjuri) -> None:
    _fill(kirjuri, 7)
    leaves = _leaves(kirjuri)
    store = MerkleStore(kirjuri.ledger.database)
    size = len(leaves)
    root = store.root(size)
    for index in range(size):
        proof = store.inclusion_proof(index, size)
        assert verify_inclusion(leaves[index], index, size, proof, root)
    for old in range(1, size + 1):
        proof = store.consistency_proof(old, size)
        assert verify_consistency(old, size, store.root(old), root, proof)


def test_rebuilt_tree_equals_the_incremental_one(kirjuri: Kirjuri) -> None:
    _fill(kirjuri, 5)
    store = MerkleStore(kirjuri.ledger.database)
    before = store.root(store.size())
    kirjuri.projector.rebuild()
    assert store.root(store.size()) == before
