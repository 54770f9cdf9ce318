"""The stored log on a real database: append in the caller's transaction, sign, prove, verify."""

from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import select, update

from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.errors import InvalidInput, NotFound
from execflow.prove.log import merkle, store
from execflow.prove.log.append import append, append_prepared, prepare
from execflow.prove.log.checkpoint import open_checkpoint
from execflow.prove.log.entry import Ref, decode_entry
from execflow.prove.log.integrate import TreeIntegrityError, apply, integrate, plan
from execflow.prove.log.models import LogEntry, LogTile
from execflow.prove.log.note import Signer
from execflow.prove.log.sources import DatabaseSource
from execflow.prove.log.tiles import TileRef, decode_bundle
from execflow.prove.log.verify import verify_log
from execflow.workers import Workers

ACTOR = Ref("system", "test")


def _add(db: Database, clock: ManualClock, count: int, tag: str = "e") -> range:
    items = [
        prepare(
            type="custom.test",
            at=clock.now(),
            actor=ACTOR,
            subject=Ref("thing", f"{tag}{i}"),
            data={"n": i},
        )
        for i in range(count)
    ]
    with db.write() as session:
        return append_prepared(session, items)


def test_append_rolls_back_with_its_transaction(db: Database, clock: ManualClock) -> None:
    with pytest.raises(RuntimeError), db.write() as session:
        append(
            session,
            type="custom.test",
            at=clock.now(),
            actor=ACTOR,
            subject=Ref("thing", "1"),
            data={},
        )
        raise RuntimeError("the state change failed")
    with db.read() as session:
        assert store.appended_size(session) == 0
        assert session.execute(select(LogEntry)).first() is None


def test_entries_are_canonical_json_in_the_contract_shape(db: Database, clock: ManualClock) -> None:
    with db.write() as session:
        index = append(
            session,
            type="incident.acknowledged",
            at=clock.now(),
            actor=ACTOR,
            subject=Ref("incident", "inc_1"),
            data={"z": 1, "a": [1.5, "x"]},
        )
    with db.read() as session:
        raw = session.execute(select(LogEntry.data).where(LogEntry.idx == index)).scalar_one()
    assert raw == (
        b'{"actor":{"id":"test","kind":"system"},"at":"2026-03-01T12:00:00.000000Z",'
        b'"data":{"a":[1.5,"x"],"z":1},"subject":{"id":"inc_1","kind":"incident"},'
        b'"type":"incident.acknowledged","v":1}'
    )
    assert decode_entry(raw)["v"] == 1


@pytest.mark.parametrize(
    "data", [{"contact": "alice@example.com"}, {"big": "x" * 70_000}, {"n": float("nan")}]
)
def test_unloggable_entries_are_refused_and_nothing_is_written(
    db: Database, clock: ManualClock, data: dict[str, object]
) -> None:
    with pytest.raises(InvalidInput), db.write() as session:
        append(
            session,
            type="custom.test",
            at=clock.now(),
            actor=ACTOR,
            subject=Ref("thing", "1"),
            data=data,
        )
    with db.read() as session:
        assert store.appended_size(session) == 0


def test_checkpoints_cover_appends_and_proofs_verify(
    db: Database, clock: ManualClock, workers: Workers, signer: Signer
) -> None:
    rng = random.Random(7)
    sizes = []
    total = 0
    for batch in (1, 2, 5, 250, 3, 300, 1, 700):
        _add(db, clock, batch, tag=f"b{total}")
        total += batch
        signed = workers.integrate_once()
        assert signed is not None and signed.size == total
        sizes.append(total)
    assert workers.integrate_once() is None  # nothing new, nothing signed
    with db.read() as session:
        tree = store.tree(session)
        assert tree.checkpoint is not None
        checkpoint = open_checkpoint(tree.checkpoint, signer.verifier)
        entries = store.entries(session, 0, total)
        leaves = [merkle.leaf_hash(e) for e in entries]
        assert checkpoint.size == total and checkpoint.root == merkle.root_of(leaves)
        for _ in range(40):
            size = rng.choice(sizes)
            index = rng.randrange(size)
            path = store.inclusion(session, index=index, size=size)
            merkle.verify_inclusion(leaves[index], index, size, path, merkle.root_of(leaves[:size]))
        for old in sizes:
            proof = store.consistency(session, old=old, new=total)
            if old < total:
                merkle.verify_consistency(
                    old, total, proof, merkle.root_of(leaves[:old]), checkpoint.root
                )
        bundle = store.read_tile(session, TileRef(None, 1, 256))
        assert decode_bundle(bundle) == entries[256:512]
        with pytest.raises(InvalidInput):
            store.inclusion(session, index=0, size=total + 1)
        with pytest.raises(NotFound):
            store.read_tile(session, TileRef(0, 4, 256))
    with db.read() as session:
        report = verify_log(DatabaseSource(session), signer.verifier)
    assert report.ok and report.size == total


def test_a_changed_entry_is_named(
    db: Database, clock: ManualClock, workers: Workers, signer: Signer
) -> None:
    _add(db, clock, 600)
    workers.integrate_once()
    with db.write() as session:
        session.execute(update(LogEntry).where(LogEntry.idx == 417).values(data=b'{"forged":1}'))
    with db.read() as session:
        report = verify_log(DatabaseSource(session), signer.verifier)
    assert not report.ok and report.first_bad_index == 417


def test_a_changed_stored_hash_is_named_and_the_log_refuses_to_sign(
    db: Database, clock: ManualClock, workers: Workers, signer: Signer
) -> None:
    _add(db, clock, 300)
    workers.integrate_once()
    with db.write() as session:
        tile = session.execute(
            select(LogTile).where(LogTile.level == 0, LogTile.idx == 1)
        ).scalar_one()
        data = bytearray(tile.data)
        data[5 * 32] ^= 0xFF
        tile.data = bytes(data)
    with db.read() as session:
        report = verify_log(DatabaseSource(session), signer.verifier)
    assert not report.ok and report.first_bad_index == 256 + 5
    _add(db, clock, 1, tag="after")
    with pytest.raises(TreeIntegrityError):
        workers.integrate_once()


def test_concurrent_appenders_never_see_locked_and_leave_no_gaps(
    db: Database, clock: ManualClock, workers: Workers
) -> None:
    errors: list[BaseException] = []
    indexes: list[int] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        try:
            for i in range(25):
                got = _add(db, clock, 1 + i % 3, tag=f"w{n}_{i}_")
                with lock:
                    indexes.extend(got)
        except BaseException as exc:
            errors.append(exc)

    def integrator() -> None:
        try:
            for _ in range(20):
                workers.integrate_once()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    threads.append(threading.Thread(target=integrator))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(indexes) == list(range(len(indexes)))
    workers.integrate_once()
    with db.read() as session:
        assert store.tree(session).size == len(indexes)


def test_two_integrators_sign_only_consistent_checkpoints(
    db: Database, clock: ManualClock, signer: Signer, settings: Settings
) -> None:
    first = Workers(db, signer, clock, settings, handlers={})
    second = Workers(db, signer, clock, settings, handlers={})
    notes: list[str] = []
    errors: list[BaseException] = []

    def run(workers: Workers) -> None:
        try:
            for _ in range(15):
                signed = workers.integrate_once()
                if signed is not None:
                    notes.append(signed.note)
        except BaseException as exc:
            errors.append(exc)

    def feed() -> None:
        for i in range(30):
            _add(db, clock, 7, tag=f"f{i}_")

    threads = [threading.Thread(target=run, args=(w,)) for w in (first, second)]
    threads.append(threading.Thread(target=feed))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first.integrate_once()
    assert errors == []
    with db.read() as session:
        final = open_checkpoint(store.tree(session).checkpoint or "", signer.verifier)
        leaves = [merkle.leaf_hash(e) for e in store.entries(session, 0, final.size)]
    seen_sizes = set()
    for note in notes:
        checkpoint = open_checkpoint(note, signer.verifier)
        assert checkpoint.size not in seen_sizes, "two checkpoints signed for one size"
        seen_sizes.add(checkpoint.size)
        assert checkpoint.root == merkle.root_of(leaves[: checkpoint.size])


def test_a_changed_inner_hash_is_named(
    db: Database, clock: ManualClock, workers: Workers, signer: Signer
) -> None:
    _add(db, clock, 600)
    workers.integrate_once()
    with db.write() as session:
        tile = session.execute(
            select(LogTile).where(LogTile.level == 0, LogTile.idx == 1)
        ).scalar_one()
        inner = bytearray(tile.inner)
        # Height 3 inside the tile starts at inner hash 192; node 5 there covers entries 40..47.
        inner[(192 + 5) * 32] ^= 0x01
        tile.inner = bytes(inner)
    with db.read() as session:
        report = verify_log(DatabaseSource(session), signer.verifier)
    assert not report.ok and report.first_bad_index == 256 + 40


def test_a_plan_overtaken_by_another_integration_is_dropped(
    db: Database, clock: ManualClock, signer: Signer
) -> None:
    _add(db, clock, 5)
    with db.read() as session:
        stale = plan(session)
    assert stale is not None and stale.new_size == 5
    _add(db, clock, 3, tag="later")
    with db.write() as session:
        landed = integrate(session, signer=signer, now=clock.now())
    assert landed is not None and landed.size == 8
    with db.write() as session:
        assert apply(session, stale, signer=signer, now=clock.now()) is None
    with db.read() as session:
        head = store.tree(session)
        assert (head.size, head.checkpoint) == (8, landed.note)
        leaves = [merkle.leaf_hash(e) for e in store.entries(session, 0, 8)]
        assert merkle.subtree_root(store.nodes(session).node, 0, 8) == merkle.root_of(leaves)
