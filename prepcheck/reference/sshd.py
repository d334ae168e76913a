"""A reference SFTP service: Debian's OpenSSH ``sshd`` on 127.0.0.1, SFTP only, one generated key.

Layout under ``workdir``::

    ssh_host_ed25519_key(.pub)   the server's own host key (never the machine's)
    client_key(.pub)             the only key allowed to log in (what the OPLE would be issued)
    authorized_keys              ``restrict,from="127.0.0.1" <client_key.pub>``
    known_hosts                  ``[127.0.0.1]:<port> <host key>``, for the client's check
    sshd_config, sshd.pid, sshd.log

Why this setup is safe enough as root: the harness runs as root and a ``ChrootDirectory`` must
sit on a root-owned path no other user can write (not true under /tmp), so instead the login is
the current user's, accepted only with the generated key (``PasswordAuthentication no``,
``PermitRootLogin prohibit-password``, ``AllowUsers``), only from 127.0.0.1 (listen address and
``from=``), and forced into ``internal-sftp`` started in ``home`` with no shell, TTY,
forwarding or tunnel. The private key lives only in ``workdir``.

``read_only`` starts internal-sftp with ``-R``: login works, every write is refused (a difusor
whose upload folder is not writable).

Contract: ``start()`` returns once the port accepts connections, else raises ``ServerError``
with the log tail; ``stop()`` ends the listener by pid and every connection process it forked
(they start their own sessions, so the process group is not enough), leaving nothing behind.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import os
import re
import shutil
import signal
from pathlib import Path

import asyncssh

from prepcheck.errors import ServerError
from prepcheck.lifecycle import Service
from prepcheck.reference.process import ManagedProcess, descendants, free_port, port_open, tail

HOST = "127.0.0.1"
_PRIVSEP_DIR = Path("/run/sshd")
_SAFE_PATH = re.compile(r"^[A-Za-z0-9_./+-]+$")
_START_ATTEMPTS = 3

_CONFIG = """\
# Written by prepcheck: reference SFTP service, loopback only, SFTP only, one key.
ListenAddress {host}:{port}
HostKey {host_key}
PidFile {pid_file}
AuthorizedKeysFile {authorized_keys}
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitEmptyPasswords no
PermitRootLogin prohibit-password
AllowUsers {user}
UsePAM no
UseDNS no
PrintMotd no
PermitTTY no
PermitUserRC no
PermitTunnel no
DisableForwarding yes
MaxAuthTries 6
LogLevel INFO
Subsystem sftp internal-sftp
ForceCommand internal-sftp -d {home} -u 0022{read_only}
"""


def sshd_binary() -> Path:
    """The absolute path of sshd (it refuses to re-exec itself from a relative one)."""
    found = shutil.which("sshd", path="/usr/sbin:/usr/local/sbin:/sbin:" + os.environ["PATH"])
    if found is None:
        raise ServerError("sshd not found: install Debian's openssh-server")
    return Path(found).resolve()


class ReferenceSshd(Service):
    """OpenSSH sshd on 127.0.0.1 serving SFTP in ``home`` to one generated client key."""

    def __init__(
        self, workdir: Path, *, home: Path, port: int = 0, read_only: bool = False
    ) -> None:
        self.workdir = workdir.resolve()
        self.home = home.resolve()
        self.read_only = read_only
        self.user = getpass.getuser()
        self._wanted_port = port
        self._port: int | None = None
        self._process: ManagedProcess | None = None
        for path in (self.workdir, self.home):
            if not _SAFE_PATH.match(str(path)):
                raise ServerError(f"unsupported characters in path for sshd_config: {path}")

    # -- public surface -------------------------------------------------------------------

    @property
    def host(self) -> str:
        return HOST

    @property
    def port(self) -> int:
        if self._port is None:
            raise ServerError("reference sshd not started: port not chosen yet")
        return self._port

    @property
    def client_key(self) -> Path:
        return self.workdir / "client_key"

    @property
    def known_hosts(self) -> Path:
        return self.workdir / "known_hosts"

    @property
    def log(self) -> Path:
        return self.workdir / "sshd.log"

    @property
    def pid(self) -> int:
        if self._process is None:
            raise ServerError("reference sshd is not running")
        return self._process.pid

    def start(self, timeout: float = 10.0) -> None:
        """Generate keys (once), write the config, start sshd and wait for its port."""
        if self._process is not None:
            raise ServerError(f"reference sshd already started (pid {self.pid})")
        _PRIVSEP_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.home.mkdir(parents=True, exist_ok=True)
        self._ensure_keys()
        for attempt in range(1, _START_ATTEMPTS + 1):
            port = self._wanted_port or free_port(HOST)
            process = self._launch(port)
            if process.wait_until(functools.partial(port_open, port, HOST), timeout):
                self._port, self._process = port, process
                self._write_known_hosts(port)
                return
            process.stop()
            if self._wanted_port or attempt == _START_ATTEMPTS:
                raise ServerError(f"sshd did not start within {timeout} s:\n{tail(self.log)}")

    def stop(self) -> None:
        """Stop the connection processes, then the listener, by pid. Idempotent."""
        process, self._process = self._process, None
        if process is None:
            return
        children = descendants(process.pid) if process.alive() else []
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.stop()

    def __repr__(self) -> str:
        state = f"pid {self._process.pid} port {self._port}" if self._process else "stopped"
        return f"<ReferenceSshd {state}>"

    # -- internals ------------------------------------------------------------------------

    def _ensure_keys(self) -> None:
        host_key = self.workdir / "ssh_host_ed25519_key"
        for key_path in (host_key, self.client_key):
            if not key_path.exists():
                key = asyncssh.generate_private_key("ssh-ed25519", comment="prepcheck")
                key.write_private_key(str(key_path))
                key.write_public_key(f"{key_path}.pub")
                key_path.chmod(0o600)
        public = Path(f"{self.client_key}.pub").read_text(encoding="ascii").strip()
        (self.workdir / "authorized_keys").write_text(
            f'restrict,from="{HOST}" {public}\n', encoding="ascii"
        )

    def _write_known_hosts(self, port: int) -> None:
        public = (self.workdir / "ssh_host_ed25519_key.pub").read_text(encoding="ascii").split()
        self.known_hosts.write_text(f"[{HOST}]:{port} {public[0]} {public[1]}\n", encoding="ascii")

    def _launch(self, port: int) -> ManagedProcess:
        config = self.workdir / "sshd_config"
        config.write_text(
            _CONFIG.format(
                host=HOST,
                port=port,
                host_key=self.workdir / "ssh_host_ed25519_key",
                pid_file=self.workdir / "sshd.pid",
                authorized_keys=self.workdir / "authorized_keys",
                user=self.user,
                home=self.home,
                read_only=" -R" if self.read_only else "",
            ),
            encoding="ascii",
        )
        argv = [str(sshd_binary()), "-D", "-e", "-f", str(config)]
        process = ManagedProcess(argv, output=self.log, cwd=self.workdir)
        process.start()
        return process
