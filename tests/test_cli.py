"""The command line: exit codes, one clear line per bad input, no tracebacks for expected failures."""

import json
import shutil

from click.testing import CliRunner

from newsprism.cli import EXIT_FAILED, EXIT_PARTIAL, main


def test_analyze_reports_rejections_and_exit_code(tmp_path, sample_dir):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(sample_dir / "003_e0a648553a41301a.txt", inputs)
    (inputs / "junk.html").write_bytes(b"\x00\x01\x02" * 500)
    result = CliRunner().invoke(
        main, ["analyze", str(inputs), "--db", str(tmp_path / "n.db"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == EXIT_PARTIAL, result.output
    assert "rejected" in result.stderr and "junk.html" in result.stderr
    assert "Traceback" not in result.output
    assert "report:" in result.stdout
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert len(report["articles"]) == 1 and len(report["rejected"]) == 1

    listed = CliRunner().invoke(main, ["rejects", "--db", str(tmp_path / "n.db")])
    assert "junk.html" in listed.stdout
    stories = CliRunner().invoke(main, ["stories", "--db", str(tmp_path / "n.db")])
    assert "1 articles" in stories.stdout


def test_unusable_store_is_one_clear_line(tmp_path, sample_dir):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 50)
    result = CliRunner().invoke(main, ["analyze", str(sample_dir), "--db", str(bad)])
    assert result.exit_code == EXIT_FAILED
    assert "bad.db" in result.stderr and "Traceback" not in result.output


def test_unknown_setting_is_refused(tmp_path, sample_dir):
    result = CliRunner().invoke(main, ["analyze", str(sample_dir), "--setting", "no_such=1"])
    assert result.exit_code == EXIT_FAILED
    assert "no_such" in result.stderr


def test_a_second_run_on_a_store_another_process_is_writing_is_refused(tmp_path, sample_dir):
    import subprocess
    import sys

    db = tmp_path / "n.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from newsprism.store import SQLiteStore\n"
            f"with SQLiteStore({str(db)!r}).writer():\n"
            "    print('held', flush=True)\n"
            "    sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = CliRunner().invoke(
            main, ["analyze", str(sample_dir), "--db", str(db), "--out", str(tmp_path / "o")]
        )
        assert result.exit_code == EXIT_FAILED, result.output
        assert "another newsprism run is writing this store (pid" in result.stderr
        assert "Traceback" not in result.output
    finally:
        holder.communicate("", timeout=30)
    # the holder has ended (a killed one would release it too): the run goes ahead
    result = CliRunner().invoke(
        main, ["analyze", str(sample_dir), "--db", str(db), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
