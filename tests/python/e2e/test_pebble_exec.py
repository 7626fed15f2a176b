"""Pebble exec through a real charm with ops' own Pebble client: mocks matched by exact argv then
longest prefix, what the charm sent recorded in the output's exec history, exit codes as
ExecError, and an unmatched command refused as Pebble refuses a missing executable."""

import inspect

import ops
import pytest
from ops import pebble

from scenario import Container, ExecOutput, ExecRecord, State
from charm_runs import expect_divergences, run_in_charm

META = {"name": "execer", "containers": {"workload": {}}}


def run_charm(container, body, event="start", meta=META, **context_args):
    """Runs `body(container)` inside the charm's handler; returns (output State, its result)."""
    return run_in_charm(
        State(containers=[container]),
        lambda charm, _ev: body(charm.unit.get_container(container.name)),
        event, meta, **context_args,
    )


# Every wait() on a process with mocked output is reported: ops' client closes its streams there.
def waited(*commands):
    patterns = (rf"exec {c}: ops' Pebble client closes the process's output streams" for c in commands)
    return expect_divergences(*patterns)


MOCKS = {
    ("ls",): ExecOutput(stdout="generic ls\n"),
    ("ls", "-l"): ExecOutput(stdout="long listing\n"),
    ("ls", "-l", "/etc"): ExecOutput(stdout="etc listing\n"),
    ("git",): ExecOutput(stdout="git\n"),
    ("git", "status"): ExecOutput(stdout="clean\n"),
    ("false",): ExecOutput(return_code=1, stdout="partial out\n", stderr="it broke\n"),
}


def live(**kwargs):
    kwargs.setdefault("exec_mock", MOCKS)
    return Container("workload", can_connect=True, **kwargs)


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["ls"], "generic ls\n"),  # exact
        (["ls", "-l"], "long listing\n"),  # exact, although ("ls",) is a prefix too
        (["ls", "-l", "/etc"], "etc listing\n"),
        (["ls", "-l", "/var"], "long listing\n"),  # longest prefix
        (["ls", "-a"], "generic ls\n"),
        (["git", "status", "--short"], "clean\n"),
        (["git", "log"], "git\n"),
    ],
)
def test_mocks_match_exact_argv_then_longest_prefix(argv, expected):
    out, stdout = run_charm(live(), lambda c: c.exec(argv).wait_output()[0])
    assert stdout == expected
    assert [r.command for r in out.get_container("workload").exec_history] == [argv]


def test_exec_history_records_what_the_charm_sent():
    def body(c):
        proc = c.exec(["ls", "-l"], environment={"LANG": "C", "X": "1"}, working_dir="/srv",
                      user="app", user_id=1000, group="app", group_id=1001, timeout=12.5,
                      stdin="input text")
        return proc.wait_output()

    out, (stdout, stderr) = run_charm(live(), body)
    assert (stdout, stderr) == ("long listing\n", "")
    (record,) = out.get_container("workload").exec_history
    assert record == ExecRecord(
        command=["ls", "-l"],
        environment={"LANG": "C", "X": "1"},
        working_dir="/srv",
        user="app",
        user_id=1000,
        group="app",
        group_id=1001,
        timeout=12.5,
        stdin="input text",
        return_code=0,
    )


def test_every_exec_is_recorded_in_order_with_its_exit_code():
    def body(c):
        c.exec(["ls"]).wait()
        with pytest.raises(pebble.ExecError):
            c.exec(["false"]).wait()
        c.exec(["git", "status"]).wait_output()

    with waited("ls", "false"):
        out, _ = run_charm(live(), body)
    history = out.get_container("workload").exec_history
    assert [(r.command, r.return_code) for r in history] == [
        (["ls"], 0), (["false"], 1), (["git", "status"], 0)]
    assert all(r.environment == {} and r.working_dir is None and r.user is None
               and r.timeout is None and r.stdin == "" for r in history)


def test_exec_history_from_the_input_is_kept_and_appended_to():
    earlier = ExecRecord(command=["echo", "before"], return_code=0)
    with waited("ls"):
        out, _ = run_charm(live(exec_history=[earlier]), lambda c: c.exec(["ls"]).wait())
    assert [r.command for r in out.get_container("workload").exec_history] == [
        ["echo", "before"], ["ls"]]


def test_stdin_streamed_by_the_charm_is_recorded():
    def body(c):
        proc = c.exec(["ls"])  # stdin=None: the charm writes to proc.stdin
        proc.stdin.write("line 1\n")
        proc.stdin.write("line 2\n")
        proc.stdin.close()
        return proc.wait_output()

    out, (stdout, _) = run_charm(live(), body)
    assert stdout == "generic ls\n"
    assert out.get_container("workload").exec_history[0].stdin == "line 1\nline 2\n"


def test_non_zero_exit_from_wait_output_carries_stdout_and_stderr():
    def body(c):
        c.exec(["false", "--now"]).wait_output()

    with pytest.raises(pebble.ExecError) as info:
        run_charm(live(), body)
    assert info.value.command == ["false", "--now"]
    assert info.value.exit_code == 1
    assert info.value.stdout == "partial out\n"
    assert info.value.stderr == "it broke\n"


def test_non_zero_exit_from_wait_is_exec_error():
    with waited("false"), pytest.raises(pebble.ExecError) as info:
        run_charm(live(), lambda c: c.exec(["false"]).wait())
    assert info.value.exit_code == 1


def test_stdout_and_stderr_can_be_read_as_streams():
    def body(c):
        proc = c.exec(["false"])
        out, err = proc.stdout.read(), proc.stderr.read()
        with pytest.raises(pebble.ExecError):
            proc.wait()
        return out, err

    _, (stdout, stderr) = run_charm(live(), body)
    assert (stdout, stderr) == ("partial out\n", "it broke\n")


def test_combine_stderr_puts_stderr_into_stdout():
    mocks = {("both",): ExecOutput(stdout="out\n", stderr="err\n")}
    _, (stdout, stderr) = run_charm(
        live(exec_mock=mocks), lambda c: c.exec(["both"], combine_stderr=True).wait_output())
    assert stdout == "out\nerr\n"
    assert stderr is None


def test_binary_output_with_encoding_none():
    mocks = {("cat",): ExecOutput(stdout="bytes out")}
    _, (stdout, _) = run_charm(
        live(exec_mock=mocks), lambda c: c.exec(["cat"], encoding=None).wait_output())
    assert stdout == b"bytes out"


# Pebble answers a command it cannot find with a 400 before any change exists
# (internals/daemon/api_exec.go, v1PostExec), which ops raises as APIError from exec() itself.
def test_unmatched_command_is_pebbles_cannot_find_executable_naming_the_mocks():
    with pytest.raises(pebble.APIError) as info:
        run_charm(live(), lambda c: c.exec(["rm", "-rf", "/"]))
    assert info.value.code == 400
    message = info.value.message
    assert message.startswith('cannot find executable "rm" (scenario: no exec mock')
    assert 'matches the command ["rm","-rf","/"]' in message
    for mock in ('["ls","-l","/etc"]', '["git","status"]', '["false"]'):
        assert mock in message


def test_unmatched_arguments_of_a_mocked_program_are_explained():
    with pytest.raises(pebble.APIError) as info:
        run_charm(live(exec_mock={("git", "status"): ExecOutput()}), lambda c: c.exec(["git", "log"]))
    assert info.value.message.startswith(
        'scenario: no exec mock in container "workload" matches the command ["git","log"]'
    )


def test_unmatched_command_with_no_mocks_says_so():
    with pytest.raises(pebble.APIError) as info:
        run_charm(live(exec_mock={}), lambda c: c.exec(["whoami"]))
    assert '["whoami"]' in info.value.message
    assert "exec_mock has no commands" in info.value.message


def test_unmatched_command_is_not_recorded():
    def body(c):
        with pytest.raises(pebble.APIError):
            c.exec(["whoami"])

    out, _ = run_charm(live(exec_mock={("ls",): ExecOutput()}), body)
    assert out.get_container("workload").exec_history == []


def test_exec_service_context_takes_the_services_environment_and_dir():
    if "service_context" not in inspect.signature(ops.Container.exec).parameters:
        pytest.skip(f"ops {ops.__version__} has no exec(service_context=...)")
    layer = {"services": {"web": {"override": "replace", "command": "web",
                                  "environment": {"FROM": "service", "KEEP": "yes-svc"},
                                  "working-dir": "/srv/web", "user": "www"}}}

    def body(c):
        c.add_layer("base", layer)
        c.exec(["ls"], service_context="web", environment={"KEEP": "mine"}).wait()

    # Juju supports exec's service context from 3.4 on; ops checks the version.
    with waited("ls"):
        out, _ = run_charm(live(), body, juju_version="3.4.0")
    (record,) = out.get_container("workload").exec_history
    assert record.environment == {"FROM": "service", "KEEP": "mine"}
    assert record.working_dir == "/srv/web"
    assert record.user == "www"


def test_exec_when_pebble_is_unreachable_raises_connection_error():
    container = Container("workload", can_connect=False, exec_mock=MOCKS)
    with pytest.raises(pebble.ConnectionError):
        run_charm(container, lambda c: c.exec(["ls"]))
