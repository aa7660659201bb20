"""uv reçoit les sources de pip : mêmes index, mêmes roues locales, mêmes contraintes."""

import subprocess
import sys

from tools.pip_sources import pip_config, uv_options

SAMPLE = [
    "global.cert='/etc/ssl/certs/ca-certificates.crt'",
    "global.constraint='/etc/xdg/pip/constraints.txt'",
    "global.extra-index-url='file:///opt/pypi/simple file:///opt/pypi-more/simple'",
    "global.find-links='/srv/roues'",
    ":env:.find-links='/opt/wheels'",
    ":env:.default-timeout='180'",
    "ligne sans égal",
]


def test_pip_configuration_is_read_with_environment_first():
    config = pip_config(SAMPLE)
    assert config == {"constraint": ["/etc/xdg/pip/constraints.txt"],
                      "extra-index-url": ["file:///opt/pypi/simple",
                                          "file:///opt/pypi-more/simple"],
                      "find-links": ["/opt/wheels"]}  # PIP_FIND_LINKS l'emporte


def test_uv_gets_every_source_and_pips_choice_among_indexes():
    options = uv_options(pip_config(SAMPLE))
    assert options == ["--extra-index-url", "file:///opt/pypi/simple",
                       "--extra-index-url", "file:///opt/pypi-more/simple",
                       "--find-links", "/opt/wheels",
                       "--constraint", "/etc/xdg/pip/constraints.txt",
                       "--index-strategy", "unsafe-best-match"]


def test_without_configuration_uv_keeps_its_defaults():
    assert uv_options(pip_config([])) == []
    assert uv_options(pip_config(["global.index-url='https://miroir.example/simple'"])) == [
        "--index-url", "https://miroir.example/simple"]


def test_the_script_reads_this_machines_pip(monkeypatch):
    monkeypatch.setenv("PIP_FIND_LINKS", "/tmp/roues-de-test")
    out = subprocess.run([sys.executable, "-m", "tools.pip_sources"], capture_output=True,
                         text=True, check=True).stdout.split()
    assert out[out.index("--find-links") + 1] == "/tmp/roues-de-test"
