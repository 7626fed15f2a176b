"""Checks of the source tree as a release: what the build says when a system library is missing,
that configuring is quiet, that scripts/system-deps.sh installs what CMake uses, that the engine
compiles without Linux-only calls, and that the documents, licence and version agree with the
files. Run once by scripts/test.sh (they need cmake and g++, not a particular ops)."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _configure(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["cmake", "-S", str(REPO), "-B", str(tmp_path / "build"), "-G", "Ninja",
         "-DSCENARIO_BUILD_PYTHON=OFF", *options],
        capture_output=True, text=True, timeout=300,
    )


def _required_debian_packages() -> dict[str, str]:
    """{find_package name: Debian package} from every scenario_require() call of the build."""
    found = {}
    for path in [REPO / "CMakeLists.txt", *REPO.glob("cmake/*.cmake"), *REPO.glob("engine/**/CMakeLists.txt")]:
        for name, package in re.findall(r"scenario_require\((\S+)[^)]*?DEBIAN\s+\"?([^)\"]+)\"?\)", path.read_text()):
            if not name.startswith("<"):  # not the usage line of its comment
                found[name] = package
    return found


# One unfound package per run: the message must name its Debian package and the install script.
@pytest.mark.parametrize("name", ["nlohmann_json", "yaml-cpp", "fmt", "SQLite3", "Boost", "GTest"])
def test_a_missing_library_names_its_debian_package_and_the_script(tmp_path: Path, name: str) -> None:
    result = _configure(tmp_path, "-DSCENARIO_BUILD_TESTS=ON", f"-DCMAKE_DISABLE_FIND_PACKAGE_{name}=ON")
    assert result.returncode != 0
    package = _required_debian_packages()[name]
    message = " ".join(result.stderr.split())  # as CMake wraps it
    assert f"{name} was not found. Install the Debian package {package}" in message
    assert "bash scripts/system-deps.sh" in message
    assert result.stderr.count("CMake Error") == 1, result.stderr


def _python_with_nanobind() -> str | None:
    """A build venv of scripts/wheel.sh (it has nanobind), so that the bindings get configured too."""
    found = sorted(REPO.glob(".venvs/wheel-build-*/bin/python"))
    return str(found[0]) if found else None


def test_configuring_prints_no_cmake_warnings(tmp_path: Path) -> None:
    python = _python_with_nanobind()
    bindings = ["-DSCENARIO_BUILD_PYTHON=ON", f"-DPython_EXECUTABLE={python}"] if python else []
    result = _configure(tmp_path, "-DSCENARIO_BUILD_TESTS=ON", "-Wdeprecated", *bindings)
    assert result.returncode == 0, result.stderr
    assert "CMake Warning" not in result.stderr and "CMake Deprecation Warning" not in result.stderr, result.stderr


def test_system_deps_installs_the_dev_packages_cmake_requires_and_no_others() -> None:
    script = (REPO / "scripts" / "system-deps.sh").read_text()
    listed = set(re.search(r"packages=\(([^)]*)\)", script).group(1).split())
    listed_dev = {p for p in listed if p.endswith("-dev")}
    required = {p for packages in _required_debian_packages().values() for p in packages.split()}
    required.discard("libc6-dev")  # comes with g++
    assert listed_dev == required


def test_bench_does_not_use_google_benchmark() -> None:
    # Why libbenchmark-dev is not installed: bench/ measures in Python.
    sources = [p for p in REPO.glob("bench/**/*") if p.suffix in {".cpp", ".hpp", ".txt", ".cmake"}]
    assert not any("benchmark/benchmark.h" in p.read_text() for p in sources)


def test_the_pebble_server_compiles_without_linux_only_calls(tmp_path: Path) -> None:
    # Without __linux__ the CPU-affinity calls and the thread id syscall must be fenced off: the
    # object file may not need them from the C library.
    obj = tmp_path / "server.o"
    subprocess.run(
        ["g++", "-std=c++20", "-O0", "-U__linux__", "-c", "-I", str(REPO), "-o", str(obj),
         str(REPO / "engine" / "pebble" / "server.cpp")],
        check=True, timeout=600,
    )
    undefined = subprocess.run(["nm", "-u", "-C", str(obj)], capture_output=True, text=True, check=True).stdout
    for call in ("sched_setaffinity", "sched_getaffinity", "sched_getcpu", "gettid", "syscall"):
        assert not re.search(rf"\b{call}\b", undefined), f"{call} is called outside the Linux fence"


def _python_3_12_or_later() -> Path | None:
    """A CPython >= 3.12 install (pyenv's), whose headers the abi3 build compiles against."""
    found = sorted(Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")).glob("versions/3.1[2-9].*/include/python3.1[2-9]"))
    return found[-1] if found else None


def test_the_bindings_compile_against_the_stable_abi(tmp_path: Path) -> None:
    # CI builds the wheel of its own python3; this keeps the abi3 wheel (3.12+) buildable too:
    # under Py_LIMITED_API only the stable ABI's functions exist.
    headers = _python_3_12_or_later()
    nanobind = sorted(REPO.glob(".venvs/wheel-build-*/lib/python3.*/site-packages/nanobind/include"))
    if headers is None or not nanobind:
        pytest.skip("needs a CPython >= 3.12 under pyenv and scripts/wheel.sh's build venv (nanobind)")
    subprocess.run(
        ["g++", "-std=c++20", "-fsyntax-only", "-DPy_LIMITED_API=0x030C0000", "-DFMT_HEADER_ONLY=1",
         "-I", str(REPO), "-I", str(headers), "-I", str(nanobind[0]),
         str(REPO / "engine" / "bindings" / "module.cpp")],
        check=True, timeout=600,
    )


# Documents may name a file of this repository only if it exists.
_PATH = re.compile(r"(?<![\w/.\-~$<{])((?:[\w.\-]+/)*[\w\-]+(?:\.\w+)*\.(?:md|sh|py|pyi|cpp|hpp|txt|cmake|toml|json))\b")


def _documents() -> list[Path]:
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    return [REPO / f for f in tracked.split() if f.endswith((".md", ".cmake")) or f.endswith("CMakeLists.txt")]


_TOP_LEVEL = {entry.name for entry in REPO.iterdir() if not entry.name.startswith(".")} - {"build", "dist"}


def test_documents_refer_only_to_files_that_exist() -> None:
    dangling = []
    for document in _documents():
        for match in _PATH.finditer(document.read_text()):
            ref = match.group(1)
            if "/" not in ref and not ref.endswith(".md"):
                continue  # a bare file name (config.yaml, charm.py) is the charm's, not ours
            if "/" in ref and ref.split("/")[0] not in _TOP_LEVEL:
                continue  # another tree's path (a charm's src/charm.py, ops-scenario's scenario/...)
            if (REPO / ref).exists() or (document.parent / ref).exists():
                continue
            dangling.append(f"{document.relative_to(REPO)}: {ref}")
    assert dangling == []


def test_license_file_matches_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]
    text = (REPO / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text


def test_the_version_is_written_once() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["scikit-build"]["metadata"]["version"]["input"] == "python/scenario/__init__.py"
    init = (REPO / "python" / "scenario" / "__init__.py").read_text()
    [version] = re.findall(r'^__version__ = "([^"]+)"$', init, re.MULTILINE)
    assert f"## {version} " in (REPO / "CHANGELOG.md").read_text()


def test_readme_shows_the_wheel_install_and_the_two_commands_first() -> None:
    readme = (REPO / "README.md").read_text()
    first_block = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    assert first_block.startswith("bash scripts/demo.sh ") and "\nbash scripts/test.sh " in first_block
    assert "pip install dist/scenario_engine-" in readme
    assert "pip uninstall -y scenario-engine ops-scenario" in readme
    assert os.path.exists(REPO / "scripts" / "wheel.sh")


_EXECUTABLE = """#include <yaml-cpp/yaml.h>
#include <sqlite3.h>
#include <cstdio>
int main() { std::printf("%d %s\\n", YAML::Load("a: 1")["a"].as<int>(), sqlite3_libversion()); }
"""


def _add_to_wheel(wheel: Path, out: Path, files: dict[str, Path]) -> None:
    """A copy of `wheel` with `files` ({path in the wheel: file}) added, its RECORD rewritten."""
    import base64
    import hashlib
    import zipfile

    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        members = {i.filename: (i, source.read(i)) for i in source.infolist() if not i.filename.endswith("/RECORD")}
        [record] = [n for n in source.namelist() if n.endswith(".dist-info/RECORD")]
        for name, path in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            members[name] = (info, path.read_bytes())
        lines = []
        for name, (info, data) in members.items():
            target.writestr(info, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            lines.append(f"{name},sha256={digest},{len(data)}")
        target.writestr(record, "\n".join([*lines, f"{record},,"]) + "\n")


def test_auditwheel_repair_carries_executables_in_the_package_and_in_scripts(tmp_path: Path) -> None:
    # The `scenario` command (installed to the scripts folder) and the hook-tool shim (under
    # scenario/_bin) link what the engine links: the wheel must carry those libraries for them too.
    raw = sorted(REPO.glob("build/wheel-raw/*/scenario_engine-*.whl"))
    auditwheel = sorted(REPO.glob(".venvs/wheel-build-*/bin/auditwheel"))
    if not raw or not auditwheel:
        pytest.skip("needs a wheel built by scripts/wheel.sh (build/wheel-raw) and its build venv")
    (tmp_path / "tool.cpp").write_text(_EXECUTABLE)
    tool = tmp_path / "tool"
    subprocess.run(["g++", "-O1", str(tmp_path / "tool.cpp"), "-o", str(tool), "-lyaml-cpp", "-lsqlite3"],
                   check=True, timeout=300)
    version = raw[0].name.split("-")[1]
    wheel = tmp_path / raw[0].name
    _add_to_wheel(raw[0], wheel, {"scenario/_bin/tool": tool,
                                  f"scenario_engine-{version}.data/scripts/tool": tool})
    bin_dir = auditwheel[0].parent
    subprocess.run([str(auditwheel[0]), "repair", "-w", str(tmp_path / "out"), str(wheel)], check=True,
                   capture_output=True, env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"})
    [repaired] = (tmp_path / "out").glob("*.whl")
    venv = tmp_path / "venv"
    subprocess.run([str(bin_dir / "python"), "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                    "-q", "--no-deps", str(repaired)], check=True)
    [package_tool] = venv.glob("lib/python3.*/site-packages/scenario/_bin/tool")
    for program in (venv / "bin" / "tool", package_tool):
        result = subprocess.run([str(program)], capture_output=True, text=True)
        assert result.returncode == 0 and result.stdout.startswith("1 "), result.stderr
    # The shim loads the wheel's copies, not the build machine's (the scripts entry is a wrapper).
    loads = subprocess.run(["ldd", str(package_tool)], capture_output=True, text=True, check=True).stdout
    assert "scenario_engine.libs/libyaml-cpp" in loads and "scenario_engine.libs/libsqlite3" in loads, loads
    [bundled] = venv.glob("lib/python3.*/site-packages/scenario_engine.libs")
    assert {p.name.split("-")[0] for p in bundled.iterdir()} >= {"libyaml", "libsqlite3"}
