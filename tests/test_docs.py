"""The docs keep up: every setting, command and make target is documented, figures are real."""

from __future__ import annotations

import json
import re

import pytest

from execflow.cli.main import COMMANDS
from execflow.config import Settings
from execflow.records import Change, Configured
from execflow.respond.incidents.events import IncidentEvent
from execflow.tell.events import TellEvent
from tests.paths import REPO

README = (REPO / "README.md").read_text()
CONFIGURATION = (REPO / "docs" / "configuration.md").read_text()
BENCHMARKS = (REPO / "docs" / "benchmarks.md").read_text()


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented(field: str) -> None:
    assert f"EXECFLOW_{field.upper()}" in CONFIGURATION
    assert Settings.model_fields[field].description, "every setting carries a description"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_documented(command: str) -> None:
    assert f"execflow {command}" in CONFIGURATION


@pytest.mark.parametrize("target", ["make run", "make test", "make install", "make bench"])
def test_make_targets_are_in_the_readme(target: str) -> None:
    assert target in README


def test_benchmark_doc_figures_are_the_measured_ones() -> None:
    results = json.loads((REPO / "bench" / "results" / "audit_append.json").read_text())
    assert f"{results['appends_per_second']:,} entries/s" in BENCHMARKS
    assert f"p50 {results['inclusion_proof_p50_ms']} ms" in BENCHMARKS


def test_benchmark_doc_escalation_figures_are_the_measured_ones() -> None:
    results = json.loads((REPO / "bench" / "results" / "escalation.json").read_text())
    assert f"p99 {results['sqlite_page_delay_p99_s']} s" in BENCHMARKS
    assert f"p99 {results['postgresql_page_delay_p99_s']} s" in BENCHMARKS


def test_benchmark_doc_detect_figures_are_the_measured_ones() -> None:
    probes = json.loads((REPO / "bench" / "results" / "probes.json").read_text())
    ingest = json.loads((REPO / "bench" / "results" / "ingest.json").read_text())
    assert f"p99 {probes['lag_p99_s']} s" in BENCHMARKS
    assert f"{ingest['pagerduty_events_per_second']} events/s" in BENCHMARKS
    anomaly = json.loads((REPO / "bench" / "results" / "anomaly.json").read_text())
    nab = f"| {anomaly['nab_standard_alerts']} (sweep {anomaly['nab_standard_sweep']})"
    assert nab in BENCHMARKS


def test_benchmark_doc_write_figures_are_the_measured_ones() -> None:
    writes = json.loads((REPO / "bench" / "results" / "writes.json").read_text())
    for backend in ("sqlite", "postgresql"):
        assert f"{writes[f'{backend}_events_per_second']} req/s" in BENCHMARKS
        assert f"{writes[f'{backend}_incidents_per_second']} req/s" in BENCHMARKS


@pytest.mark.parametrize(
    "page",
    [
        "configuration.md",
        "api.md",
        "respond.md",
        "verifying-the-log.md",
        "several-nodes.md",
        "architecture.md",
        "benchmarks.md",
        "audit-events.md",
        "tell.md",
        "console.md",
    ],
)
def test_the_readme_links_every_doc(page: str) -> None:
    assert (REPO / "docs" / page).is_file()
    assert f"(docs/{page})" in README


def test_every_incident_event_is_listed_and_nothing_else() -> None:
    listed = set(
        re.findall(r"`(incident\.[a-z_]+)`", (REPO / "docs" / "audit-events.md").read_text())
    )
    assert listed == {event.log_type for event in IncidentEvent}


def test_every_kind_and_change_of_configuration_is_listed() -> None:
    page = (REPO / "docs" / "audit-events.md").read_text()
    section = page.split("## Configuration", 1)[1].split("## ", 1)[0]
    for kind in Configured:
        assert f"`{kind.value}`" in section or f"`{kind.value}." in section, kind
    for change in Change:
        assert f".{change.value}`" in section, change


def test_every_tell_event_is_listed() -> None:
    page = (REPO / "docs" / "audit-events.md").read_text()
    section = page.split("## Telling customers", 1)[1].split("## ", 1)[0]
    listed = set(re.findall(r"`([a-z_]+\.[a-z_]+)`", section))
    assert listed == {event.value for event in TellEvent}


def test_the_telling_figures_are_the_measured_ones() -> None:
    status = json.loads((REPO / "bench" / "results" / "status_page.json").read_text())
    fanout = json.loads((REPO / "bench" / "results" / "fanout.json").read_text())
    assert f"{status['status_page_per_second']} req/s" in BENCHMARKS
    assert f"| {status['status_to_hello_ratio']} |" in BENCHMARKS
    for backend in ("sqlite", "postgresql"):
        assert f"{fanout[f'{backend}_all_delivered_s']} s" in BENCHMARKS


def test_the_console_figures_are_the_measured_ones() -> None:
    console = json.loads((REPO / "bench" / "results" / "console.json").read_text())
    assert f"{console['incidents_page_per_second']} req/s" in BENCHMARKS
    assert f"{console['monitors_page_per_second']} req/s" in BENCHMARKS
    assert f"p99 {console['ack_to_browser_p99_s']} s" in BENCHMARKS
