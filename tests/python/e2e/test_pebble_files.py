"""Pebble files through a real charm with ops' own Pebble client: push, pull, list_files,
make_dir, remove_path, exists, isdir, permissions and ownership; Mounts map container paths to
host directories, everything else lives in the in-memory filesystem the output State shows."""

import os
import stat
import subprocess
import sys
import textwrap

import ops
import pytest
from ops import pebble

from scenario import Container, Context, File, JujuDivergenceWarning, Mount, State, StateValidationError
from charm_runs import expect_divergences, pulled, run_in_charm

META = {"name": "filer", "containers": {"workload": {}}}


def run_charm(container, body, event="start", meta=META):
    """Runs `body(container)` inside the charm's handler; returns (output State, its result)."""
    return run_in_charm(
        State(containers=[container]),
        lambda charm, _ev: body(charm.unit.get_container(container.name)),
        event, meta,
    )


def live(**kwargs):
    return Container("workload", can_connect=True, **kwargs)


# ---------------------------------------------------------------------------------------------
# push and pull


def test_push_then_pull_text_and_bytes():
    def body(c):
        c.push("/etc/app.conf", "key = value\n", make_dirs=True)
        c.push("/var/blob", b"\x00\xffbin", make_dirs=True)
        return pulled(c, "/etc/app.conf"), pulled(c, "/var/blob", encoding=None)

    out, (text, data) = run_charm(live(), body)
    assert text == "key = value\n"
    assert data == b"\x00\xffbin"
    workload = out.get_container("workload")
    assert workload.files["/etc/app.conf"] == "key = value\n"
    assert workload.files["/var/blob"] == b"\x00\xffbin"
    assert workload.filesystem.read_bytes("/var/blob") == b"\x00\xffbin"
    with workload.filesystem.open("/etc/app.conf") as f:
        assert f.read() == "key = value\n"
    # make_dirs created the parents, and the output shows them as directories.
    assert workload.files["/etc"].is_dir and workload.files["/var"].is_dir


def test_push_overwrites_and_output_shows_the_last_content():
    def body(c):
        c.push("/f", "one")
        c.push("/f", "two")
        return pulled(c, "/f")

    out, content = run_charm(live(), body)
    assert content == "two"
    assert out.get_container("workload").files["/f"] == "two"


def test_push_without_make_dirs_into_a_missing_directory_fails():
    with pytest.raises(pebble.PathError) as info:
        run_charm(live(), lambda c: c.push("/no/such/dir/f", "x"))
    assert info.value.kind == "not-found"


def test_pull_of_a_missing_file_is_not_found():
    with pytest.raises(pebble.PathError) as info:
        run_charm(live(), lambda c: c.pull("/nope"))
    assert info.value.kind == "not-found"
    assert "/nope" in info.value.message


def test_pull_of_a_directory_fails():
    container = live(files={"/d": File(is_dir=True)})
    with pytest.raises(pebble.PathError) as info:
        run_charm(container, lambda c: c.pull("/d"))
    assert info.value.kind == "generic-file-error"


def test_push_with_permissions_user_and_group():
    def body(c):
        c.push("/srv/secret", "s3cret", make_dirs=True, permissions=0o600,
               user="app", user_id=1000, group="app", group_id=1001)
        (info,) = c.list_files("/srv/secret", itself=True)
        return info

    with expect_divergences(r"push /srv/secret: Pebble answers \"cannot look up user and group"):
        out, info = run_charm(live(), body)
    assert info.permissions == 0o600
    assert (info.user, info.user_id, info.group, info.group_id) == ("app", 1000, "app", 1001)
    assert info.type == pebble.FileType.FILE
    assert info.size == len("s3cret")
    seen = out.get_container("workload").files["/srv/secret"]
    assert seen == File(content="s3cret", permissions=0o600, user="app", user_id=1000,
                        group="app", group_id=1001)


def test_push_with_invalid_permissions_is_refused_by_ops():
    with pytest.raises(pebble.PathError):
        run_charm(live(), lambda c: c.push("/f", "x", permissions=0o1777))


# ---------------------------------------------------------------------------------------------
# seeded files


def test_seeded_files_are_seen_exactly_and_come_back_unchanged():
    seeded = {
        "/etc/plain.txt": "plain",
        "/etc/raw.bin": b"\x01\x02",
        "/etc/owned": File(content="owned", permissions=0o640, user="u", user_id=7,
                           group="g", group_id=8),
        "/opt/empty": File(is_dir=True, permissions=0o750),
    }

    def body(c):
        infos = {f.path: f for f in c.list_files("/etc")}
        return (
            pulled(c, "/etc/plain.txt"),
            pulled(c, "/etc/raw.bin", encoding=None),
            infos,
            c.list_files("/opt/empty", itself=True)[0],
            c.list_files("/opt/empty"),
        )

    out, (plain, raw, infos, empty_dir, empty_listing) = run_charm(live(files=seeded), body)
    assert plain == "plain"
    assert raw == b"\x01\x02"
    assert set(infos) == {"/etc/plain.txt", "/etc/raw.bin", "/etc/owned"}
    owned = infos["/etc/owned"]
    assert (owned.permissions, owned.user, owned.user_id, owned.group, owned.group_id) == (
        0o640, "u", 7, "g", 8)
    assert infos["/etc/plain.txt"].permissions == 0o644
    assert infos["/etc/raw.bin"].size == 2
    assert empty_dir.type == pebble.FileType.DIRECTORY
    assert empty_dir.permissions == 0o750
    assert empty_listing == []
    # Nothing the test put in is dropped or altered.
    files = out.get_container("workload").files
    for path, value in seeded.items():
        assert files[path] == value


# ---------------------------------------------------------------------------------------------
# list_files, make_dir, remove_path, exists, isdir


def test_list_files_with_pattern_and_itself():
    container = live(files={"/logs/a.log": "a", "/logs/b.log": "bb", "/logs/c.txt": "c",
                            "/logs/sub/d.log": "d"})

    def body(c):
        return (
            sorted(f.name for f in c.list_files("/logs")),
            sorted(f.name for f in c.list_files("/logs", pattern="*.log")),
            c.list_files("/logs", itself=True),
            c.list_files("/logs/b.log"),
        )

    _, (everything, logs, itself, one_file) = run_charm(container, body)
    assert everything == ["a.log", "b.log", "c.txt", "sub"]
    assert logs == ["a.log", "b.log"]
    assert [(f.path, f.type) for f in itself] == [("/logs", pebble.FileType.DIRECTORY)]
    # Listing a file lists that file.
    assert [(f.path, f.size) for f in one_file] == [("/logs/b.log", 2)]


def test_list_files_of_a_missing_path_is_not_found():
    with pytest.raises(pebble.APIError) as info:
        run_charm(live(), lambda c: c.list_files("/missing"))
    assert info.value.code == 404


def test_make_dir_with_and_without_parents():
    def body(c):
        c.make_dir("/a/b/c", make_parents=True, permissions=0o700, user="app", group="app")
        with pytest.raises(pebble.PathError) as no_parent:
            c.make_dir("/x/y")
        with pytest.raises(pebble.PathError) as exists:
            c.make_dir("/a/b/c")
        c.make_dir("/a/b/c", make_parents=True)  # existing is fine with make_parents
        return (no_parent.value.kind, exists.value.kind, c.isdir("/a/b/c"), c.isdir("/a"),
                c.list_files("/a/b/c", itself=True)[0])

    with expect_divergences(r"make_dir /a/b/c: Pebble answers \"cannot look up user and group"):
        out, (no_parent, exists, is_dir, parent_is_dir, info) = run_charm(live(), body)
    assert no_parent == "not-found"
    assert exists == "generic-file-error"
    assert is_dir and parent_is_dir
    assert info.permissions == 0o700 and info.user == "app" and info.group == "app"
    files = out.get_container("workload").files
    assert files["/a/b/c"].is_dir
    assert files["/a/b/c"].permissions == 0o700
    assert files["/a"].is_dir and files["/a/b"].is_dir
    assert "/x" not in files


def test_remove_path_plain_and_recursive():
    container = live(files={"/tree/a": "a", "/tree/sub/b": "b", "/lone": "x"})

    def body(c):
        c.remove_path("/lone")
        with pytest.raises(pebble.PathError) as not_empty:
            c.remove_path("/tree")
        with pytest.raises(pebble.PathError) as missing:
            c.remove_path("/nope")
        c.remove_path("/nope", recursive=True)  # recursive ignores a missing path, like rm -rf
        c.remove_path("/tree", recursive=True)
        return not_empty.value.kind, missing.value.kind, c.exists("/tree"), c.exists("/lone")

    out, (not_empty, missing, tree_left, lone_left) = run_charm(container, body)
    assert not_empty == "generic-file-error"
    assert missing == "not-found"
    assert not tree_left and not lone_left
    files = out.get_container("workload").files
    assert not any(p == "/lone" or p.startswith("/tree") for p in files)


def test_exists_and_isdir():
    container = live(files={"/d/f": "x"})

    def body(c):
        return (c.exists("/d"), c.isdir("/d"), c.exists("/d/f"), c.isdir("/d/f"),
                c.exists("/nope"), c.isdir("/nope"))

    _, answers = run_charm(container, body)
    assert answers == (True, True, True, False, False, False)


# ---------------------------------------------------------------------------------------------
# mounts


def test_mount_maps_a_container_path_to_a_host_directory(tmp_path):
    (tmp_path / "existing.txt").write_text("from host")
    (tmp_path / "sub").mkdir()
    container = live(mounts={"data": Mount(location="/data", src=tmp_path)})

    def body(c):
        c.push("/data/new.txt", "from charm")
        c.push("/data/deep/er.txt", "nested", make_dirs=True)
        c.make_dir("/data/made")
        c.push("/elsewhere.txt", "in memory")
        return (pulled(c, "/data/existing.txt"),
                sorted(f.name for f in c.list_files("/data")),
                c.isdir("/data/sub"))

    out, (existing, names, sub_is_dir) = run_charm(container, body)
    assert existing == "from host"
    assert names == ["deep", "existing.txt", "made", "new.txt", "sub"]
    assert sub_is_dir
    # Writes under the mount land on the host...
    assert (tmp_path / "new.txt").read_text() == "from charm"
    assert (tmp_path / "deep" / "er.txt").read_text() == "nested"
    assert (tmp_path / "made").is_dir()
    assert not (tmp_path / "elsewhere.txt").exists()
    # ...and the rest lives in the output State's in-memory filesystem.
    workload = out.get_container("workload")
    assert workload.files["/elsewhere.txt"] == "in memory"
    assert not any(p.startswith("/data") for p in workload.files)
    assert workload.filesystem.read_bytes("/data/new.txt") == b"from charm"
    assert workload.filesystem.exists("/data/existing.txt")


def test_remove_path_under_a_mount_removes_on_the_host(tmp_path):
    (tmp_path / "gone.txt").write_text("bye")
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "leaf").write_text("x")
    container = live(mounts={"data": Mount(location="/data", src=tmp_path)})

    def body(c):
        c.remove_path("/data/gone.txt")
        c.remove_path("/data/tree", recursive=True)

    run_charm(container, body)
    assert not (tmp_path / "gone.txt").exists()
    assert not (tmp_path / "tree").exists()


def test_push_permissions_under_a_mount_reach_the_host_file(tmp_path):
    container = live(mounts={"data": Mount(location="/data", src=tmp_path)})
    _, info = run_charm(container, lambda c: (c.push("/data/x", "x", permissions=0o600),
                                              c.list_files("/data/x")[0])[1])
    assert info.permissions == 0o600
    assert stat.S_IMODE((tmp_path / "x").stat().st_mode) == 0o600


def _rejects_files_in_mounts():
    try:
        Container("c", files={"/m/f": "x"}, mounts={"m": Mount(location="/m", src="/tmp")})
    except Exception:
        return True
    return False


_REJECTS_FILES_IN_MOUNTS = pytest.mark.xfail(
    not _rejects_files_in_mounts(),
    strict=True,
    reason="fixed in python/scenario/state.py (Container rejects files seeded inside a mount); "
    "the installed package predates the fix and needs a reinstall",
)


@_REJECTS_FILES_IN_MOUNTS
@pytest.mark.parametrize("path", ["/data/x", "/data", "/data/deep/er"])
def test_a_file_seeded_inside_a_mount_is_refused_not_hidden(tmp_path, path):
    # The charm would see the host directory there, so the seeded file would silently vanish.
    from scenario import StateValidationError

    with pytest.raises(StateValidationError, match=r"inside mount 'data'"):
        live(files={path: "seeded"}, mounts={"data": Mount(location="/data/", src=tmp_path)})


def test_a_file_next_to_a_mount_is_fine(tmp_path):
    container = live(files={"/database": "not in /data"},
                     mounts={"data": Mount(location="/data", src=tmp_path)})
    _, content = run_charm(container, lambda c: pulled(c, "/database"))
    assert content == "not in /data"


def test_output_reports_files_pushed_in_a_pebble_ready_handler():
    container = live(files={"/etc/keep": "kept"})
    event = container.pebble_ready_event

    def body(c):
        c.push("/etc/new", "new")
        c.remove_path("/etc/keep")

    seen = {}

    class Charm(ops.CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.workload_pebble_ready, self._ready)

        def _ready(self, ev):
            seen["workload"] = ev.workload.name
            body(ev.workload)

    out = Context(Charm, meta=META).run(event, State(containers=[container]))
    assert seen["workload"] == "workload"
    files = out.get_container("workload").files
    assert files["/etc/new"] == "new"
    assert "/etc/keep" not in files


# ---------------------------------------------------------------------------------------------
# mounts stay inside what the test gave and never hang the process (cases that would hang on a
# regression run in a child process with a timeout)


def run_child(code, tmp_path, timeout=60):
    """Runs `code` in a fresh interpreter; a hang fails the test instead of freezing the suite."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    try:
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), str(tmp_path)],
                              capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the child process hung for {timeout}s")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_pull_and_push_on_a_fifo_in_a_mount_never_block(tmp_path):
    out = run_child(
        """
        import os, sys, ops
        from ops import pebble
        from scenario import Container, Context, Mount, State

        src = sys.argv[1]
        os.mkfifo(os.path.join(src, "pipe"))
        seen = {}

        class Charm(ops.CharmBase):
            def __init__(self, framework):
                super().__init__(framework)
                framework.observe(self.on.start, self._on_start)

            def _on_start(self, _):
                c = self.unit.get_container("workload")
                try:
                    c.pull("/data/pipe")
                except pebble.PathError as e:
                    seen["pull"] = e.message
                c.push("/data/pipe", "a file now")

        meta = {"name": "filer", "containers": {"workload": {}}}
        container = Container("workload", can_connect=True,
                              mounts={"data": Mount(location="/data", src=src)})
        Context(Charm, meta=meta).run("start", State(containers=[container]))
        print(seen["pull"])
        print(open(os.path.join(src, "pipe")).read())
        """,
        tmp_path,
    )
    assert out.splitlines() == ['can only read a regular file: "/data/pipe"', "a file now"]


def test_a_hook_tool_waiting_in_the_engine_lets_other_python_threads_run(tmp_path):
    # state-set --file on a FIFO waits in the engine until another Python thread writes the
    # FIFO: that thread can run only if the waiting call has let go of the GIL.
    out = run_child(
        """
        import errno, json, os, sys, threading, time
        from scenario import _engine

        fifo = os.path.join(sys.argv[1], "fifo")
        os.mkfifo(fifo)
        spec = _engine.CharmSpec.from_json(json.dumps({"name": "c"}), "", "")
        options = _engine.RunOptions()
        options.app_name, options.juju_version, options.charm_dir = "c", "3.4.0", sys.argv[1]
        options.charm_class_name, options.skip_consistency_checks = "C", True
        run = _engine.Run(spec, {}, {"name": "start"}, options, None)
        result = {}
        tool = threading.Thread(target=lambda: result.update(
            rc=run.call_tool(["state-set", "--file", fifo])))
        tool.start()
        while tool.is_alive():
            try:  # succeeds once the tool has the FIFO open for reading
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as e:
                if e.errno != errno.ENXIO:
                    raise
                time.sleep(0.01)
                continue
            os.write(fd, b"k: v\\n")
            os.close(fd)
            break
        tool.join()
        print("returned", result["rc"][0] is not None)
        """,
        tmp_path,
    )
    assert out.strip() == "returned True"


def test_symlinks_out_of_a_mount_are_not_followed(tmp_path):
    src, outside = tmp_path / "src", tmp_path / "outside"
    src.mkdir()
    outside.mkdir()
    (outside / "secret").write_text("host only")
    (src / "absolute").symlink_to(outside / "secret")
    (src / "escape").symlink_to("../outside")
    (src / "inside").symlink_to("absolute/..")  # climbs back out through a link

    def body(c):
        errors = []
        for path in ("/data/absolute", "/data/escape/secret"):
            with pytest.raises(pebble.PathError) as pulled:
                c.pull(path)
            errors.append(pulled.value.message)
        with pytest.raises(pebble.PathError) as pushed:
            c.push("/data/escape/planted", "x")
        errors.append(pushed.value.message)
        return errors

    _, errors = run_charm(live_with(src), body)
    assert all('leads out of mount "data"' in e for e in errors), errors
    assert not (outside / "planted").exists()
    assert (outside / "secret").read_text() == "host only"


def test_remove_path_of_a_mount_point_empties_it_but_keeps_it(tmp_path):
    (tmp_path / "f").write_text("x")

    def body(c):
        with pytest.raises(pebble.PathError) as removed:
            c.remove_path("/data", recursive=True)
        return removed.value.message

    _, message = run_charm(live_with(tmp_path), body)
    assert message == "unlinkat //data: device or resource busy"
    assert tmp_path.is_dir()
    assert not (tmp_path / "f").exists()


@pytest.mark.parametrize("src", ["", "relative/dir"])
def test_a_mount_src_that_is_not_absolute_is_refused(src):
    with pytest.raises(StateValidationError, match=r"mounts\['data'\]\.src: .*absolute path"):
        run_charm(live_with(src), lambda c: None)


def test_a_mount_src_that_does_not_exist_is_refused(tmp_path):
    missing = tmp_path / "missing"
    with pytest.raises(StateValidationError, match=r"mounts\['data'\]\.src: the host path .* does not exist"):
        run_charm(live_with(missing), lambda c: None)


def test_a_push_larger_than_the_json_body_cap_goes_through_ops_client(tmp_path):
    content = b"x" * (17 << 20)  # above the 16 MiB cap on JSON bodies
    run_charm(live_with(tmp_path), lambda c: c.push("/data/big", content))
    assert (tmp_path / "big").stat().st_size == len(content)


def live_with(src):
    return Container("workload", can_connect=True, mounts={"data": Mount(location="/data", src=src)})


def test_push_onto_a_directory_or_under_a_missing_parent_has_pebbles_wording():
    # Pebble writes atomically through a temporary file beside the target and renames it
    # (internals/osutil/io.go, NewAtomicFile), so its errors name that file (v1.32.1).
    def body(c):
        c.make_dir("/srv/data", make_parents=True)
        errors = []
        for path in ("/srv/data", "/missing/dir/file"):
            try:
                c.push(path, "x")
            except pebble.PathError as e:
                errors.append((e.kind, e.message))
        return errors

    _, errors = run_charm(Container("workload", can_connect=True), body)
    (dir_kind, dir_message), (missing_kind, missing_message) = errors
    assert dir_kind == "generic-file-error"
    assert dir_message.startswith("rename /srv/data.")
    assert dir_message.endswith("~ /srv/data: is a directory")
    assert missing_kind == "not-found"
    assert missing_message.startswith("open /missing/dir/file.")
    assert missing_message.endswith("~: no such file or directory")


def test_push_as_an_owner_the_container_does_not_know():
    # Pebble looks the owner up first (internals/daemon/api_files.go writeFile,
    # internals/osutil/user.go NormalizeUidGid, v1.32.1); 3.1 wrote the file as given.
    known = {"/srv": File(is_dir=True, user="web", group="www")}

    def body(c):
        try:
            c.push("/srv/f", "x", user="bob")
        except pebble.PathError as e:
            return e.message
        return "written"

    def run(strict):
        return Context(_PushAs.charm(body), meta=META, strict=strict).run(
            "start", State(containers=[Container("workload", can_connect=True, files=known)]))

    out = run(strict=True)
    assert _PushAs.seen == "cannot look up user and group: user: unknown user bob"
    assert list(out.get_container("workload").files) == ["/srv"]
    with pytest.warns(JujuDivergenceWarning, match="cannot look up user and group: user: unknown user bob"):
        out = run(strict=False)
    assert _PushAs.seen == "written"
    assert "/srv/f" in out.get_container("workload").files


class _PushAs:
    seen = None

    @classmethod
    def charm(cls, body):
        class Charm(ops.CharmBase):
            def __init__(self, framework):
                super().__init__(framework)
                framework.observe(self.on.start, self._start)

            def _start(self, _):
                cls.seen = body(self.unit.get_container("workload"))

        return Charm

