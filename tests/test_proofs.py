"""Every kata proven both ways (`kata verify`) and its spec strong enough (`kata mutate`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from katakit.catalog import Kata, discover
from katakit.mutate import KataMutation, mutate
from katakit.verify import KataProof, verify

ROOT = Path(__file__).resolve().parents[1]
CATALOG = discover(ROOT)
KATAS = CATALOG.katas
MUTATION_FLOOR = 0.8
# Every kata's full mutant set takes many minutes on 2 cores (`kata mutate` runs it all); the
# suite holds each kata to the floor on an evenly spread sample, so CI stays in minutes.
MUTANT_SAMPLE = 12
# The first test of each kind pays for its fixture: the whole set, proven or mutated.
WHOLE_SET = pytest.mark.timeout(1800)


@pytest.fixture(scope="module")
def proofs() -> dict[str, KataProof]:
    return {p.id: p for p in verify(CATALOG, KATAS)}


@pytest.fixture(scope="module")
def mutations() -> dict[str, KataMutation]:
    return {m.id: m for m in mutate(CATALOG, KATAS, sample=MUTANT_SAMPLE)}


@WHOLE_SET
@pytest.mark.parametrize("kata", KATAS, ids=lambda k: k.id)
def test_proven_both_ways(kata: Kata, proofs: dict[str, KataProof]) -> None:
    proof = proofs[kata.id]
    assert proof.problems == [], "\n".join(proof.problems)
    assert (proof.stub, proof.solution) == ("red", "green")


@WHOLE_SET
@pytest.mark.parametrize("kata", KATAS, ids=lambda k: k.id)
def test_spec_kills_its_mutants(kata: Kata, mutations: dict[str, KataMutation]) -> None:
    report = mutations[kata.id]
    assert not report.error, report.error
    assert report.mutants > 0, "no mutants: is the reference empty?"
    assert report.score >= MUTATION_FLOOR, (
        f"{report.killed}/{report.mutants} killed; survivors:\n" + "\n".join(report.survivors)
    )
