"""`./dev test` on a fresh machine (issue 19): it installs the programs the suite drives when it
may, or stops before running anything with one line naming the apt-get command. Run on a scratch
copy of ./dev whose .venv is ready, whose "pytest" leaves a mark, with a PATH of stub programs."""

import hashlib
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

DEV = Path(__file__).parents[1] / "dev"
TOOLS = ["bash", "dirname", "sha256sum", "cut", "cat", "sed", "head", "env", "mkdir"]
"""What ./dev itself runs, taken from this machine."""


def table() -> dict[str, str]:
    """./dev's SYSTEM_PACKAGES: command -> Debian package."""
    found = re.search(r"^SYSTEM_PACKAGES=\((.*?)\)", DEV.read_text(), re.MULTILINE | re.DOTALL)
    assert found, "SYSTEM_PACKAGES=(...) in ./dev"
    return dict(entry.split("=", 1) for entry in found.group(1).split())


def script(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


class Machine:
    """A scratch repository and a PATH holding only stubs of the programs it is given."""

    def __init__(self, root: Path, *, uid: int = 1000) -> None:
        self.repo, self.bin = root / "repo", root / "bin"
        (self.repo / ".venv" / "bin").mkdir(parents=True)
        self.bin.mkdir()
        shutil.copy(DEV, self.repo / "dev")
        (self.repo / "pyproject.toml").write_text("[project]\nname = 'scratch'\n")
        digest = hashlib.sha256((self.repo / "pyproject.toml").read_bytes()).hexdigest()
        (self.repo / ".venv" / ".installed").write_text(digest + "\n")
        script(  # ./dev also runs it to compile the package's bytecode
            self.repo / ".venv" / "bin" / "python",
            f'case "$*" in "-m pytest"*) echo "$@" > {self.repo}/pytest-ran ;; esac',
        )
        for tool in TOOLS:
            (self.bin / tool).symlink_to(shutil.which(tool) or tool)
        script(self.bin / "id", f"echo {uid}")
        for command in table():
            self.stub(command)

    def stub(self, command: str, prints: str = "") -> None:
        script(self.bin / command, prints)

    def version(self, node: str = "v20.20.2", java: str = '"17.0.15" 2025-04-15') -> None:
        self.stub("node", f"echo {node}")
        self.stub("java", f"echo 'openjdk version {java}' >&2")

    def apt_installs(self) -> None:
        """An apt-get that notes its arguments and puts a stub of each package's commands."""
        commands = " ".join(f"{package}:{command}" for command, package in table().items())
        script(
            self.bin / "apt-get",
            f'echo "$@" >> {self.repo}/apt-ran\nfor want in "$@"; do for pair in {commands}; do\n'
            f'  [ "${{pair%%:*}}" = "$want" ] && printf "#!/bin/sh\\n" > {self.bin}/${{pair#*:}}'
            f" && chmod +x {self.bin}/${{pair#*:}}\ndone; done; exit 0",
        )

    def remove(self, *commands: str) -> None:
        for command in commands:
            (self.bin / command).unlink()

    def dev_test(self) -> subprocess.CompletedProcess[str]:
        environment = {"PATH": str(self.bin), "HOME": str(self.repo)}
        return subprocess.run(
            [str(self.bin / "bash"), str(self.repo / "dev"), "test", "-q"],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )

    @property
    def ran_pytest(self) -> bool:
        return (self.repo / "pytest-ran").exists()


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    made = Machine(tmp_path)
    made.version()
    return made


def test_with_everything_there_it_runs_pytest(machine: Machine) -> None:
    done = machine.dev_test()
    assert (done.returncode, done.stderr) == (0, "")
    assert (machine.repo / "pytest-ran").read_text() == "-m pytest -q\n"


def test_a_missing_program_is_one_line_and_no_test_runs(machine: Machine) -> None:
    machine.remove("wget", "javac", "keytool")
    machine.apt_installs()  # there, but neither root nor sudo may use it
    done = machine.dev_test()
    assert done.returncode == 1 and not machine.ran_pytest
    assert not (machine.repo / "apt-ran").exists()
    assert done.stderr == (
        "dev: the test suite needs wget, javac, keytool; install first: "
        "sudo apt-get install -y wget default-jdk-headless\n"
    )


@pytest.mark.parametrize(
    ("node", "java", "says", "package"),
    [
        ("v16.20.2", '"17.0.15"', "node >= 18 (this one is 16)", "nodejs"),
        ("v20.20.2", '"1.8.0_392"', "java >= 17 (this one is 8)", "default-jdk-headless"),
        (
            "v20.20.2",
            '"11.0.2" 2019-01-15',
            "java >= 17 (this one is 11)",
            "default-jdk-headless",
        ),
    ],
)
def test_an_old_node_or_java_is_left_alone_and_named(
    tmp_path: Path, node: str, java: str, says: str, package: str
) -> None:
    machine = Machine(tmp_path, uid=0)
    machine.version(node, java)
    machine.apt_installs()
    done = machine.dev_test()
    assert done.returncode == 1 and not machine.ran_pytest
    assert not (machine.repo / "apt-ran").exists()
    assert done.stderr == (
        f"dev: the test suite needs {says}; install first: apt-get install -y {package}\n"
    )


def test_as_root_it_installs_what_is_missing_then_runs_pytest(tmp_path: Path) -> None:
    machine = Machine(tmp_path, uid=0)
    machine.version()
    machine.remove("go", "chromium", "redis-server")
    machine.apt_installs()
    done = machine.dev_test()
    assert done.returncode == 0 and machine.ran_pytest
    installed = (machine.repo / "apt-ran").read_text()
    assert installed == "install -y -qq chromium redis-server golang-go\n"
    assert done.stderr == (
        "dev: installing the Debian packages the suite needs: chromium redis-server golang-go ...\n"
    )


def test_when_apt_cannot_install_it_says_so_in_one_line(tmp_path: Path) -> None:
    machine = Machine(tmp_path, uid=0)
    machine.version()
    machine.remove("git")
    script(machine.bin / "apt-get", "echo 'E: Unable to locate package git' >&2; exit 100")
    done = machine.dev_test()
    assert done.returncode == 1 and not machine.ran_pytest
    assert done.stderr.splitlines()[-1] == (
        "dev: the test suite needs git; install first: apt-get install -y git "
        "(apt-get said why not in .venv/apt.log)"
    )
    assert "Unable to locate package git" in (machine.repo / ".venv" / "apt.log").read_text()


def test_the_machine_running_the_suite_has_every_program() -> None:
    """What ./dev checked before this run is what the tests find (on PATH, haproxy in /usr/sbin)."""
    path = os.environ["PATH"] + os.pathsep + "/usr/sbin"
    assert [name for name in table() if not shutil.which(name, path=path)] == []


def test_without_a_python_it_says_which_packages_give_one(tmp_path: Path) -> None:
    machine = Machine(tmp_path)
    machine.version()
    (machine.repo / ".venv" / "bin" / "python").unlink()
    machine.stub("python3", "exit 1")  # as Debian 12's python3 (3.11) answers the version check
    done = machine.dev_test()
    assert done.returncode == 1 and not machine.ran_pytest
    assert done.stderr == (
        "dev: the test suite needs a Python >= 3.12 with its venv module "
        "(or PRETENDERS_PYTHON=/path/to/python); install first: "
        "sudo apt-get install -y python3 python3-venv\n"
    )
