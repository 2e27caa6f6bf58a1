"""Ctrl-C during a headless run: the first press stops the run after the current batch (its
results are saved), a second one aborts at once.

Python runs a signal handler only between two bytecodes of the main thread, so two presses that
land while NumPy is busy reach the handler as one call. The C-level handler still writes one
byte per signal to the wakeup socket (``signal.set_wakeup_fd``), so the handler counts the
presses there and a quick double press aborts as it should.
"""

from __future__ import annotations

import signal
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from ..engine.control import TrainingControl


@contextmanager
def stop_on_interrupt(control: TrainingControl) -> Iterator[None]:
    """First Ctrl-C: ``control.stop()``; any further one (also one counted in the same handler
    call): KeyboardInterrupt. Must be entered on the main thread."""
    receiver, sender = socket.socketpair()
    receiver.setblocking(False)
    sender.setblocking(False)
    previous_handler = signal.getsignal(signal.SIGINT)
    previous_fd = signal.set_wakeup_fd(sender.fileno(), warn_on_full_buffer=False)
    stopping = False

    def on_interrupt(signum: int, frame: object) -> None:
        nonlocal stopping
        presses = _drain(receiver).count(signal.SIGINT)
        if stopping or presses > 1:
            raise KeyboardInterrupt
        stopping = True
        print("\nstopping after this batch (Ctrl-C again to abort)", file=sys.stderr)
        control.stop()

    signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous_handler)
        signal.set_wakeup_fd(previous_fd)
        receiver.close()
        sender.close()


def _drain(receiver: socket.socket) -> bytes:
    """Every byte the wakeup socket holds now: one signal number per signal received."""
    received = b""
    while True:
        try:
            chunk = receiver.recv(256)
        except BlockingIOError:
            return received
        if not chunk:
            return received
        received += chunk
