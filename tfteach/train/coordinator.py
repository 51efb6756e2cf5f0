"""tf.train.Coordinator: how the threads of an input pipeline (or any threads sharing a
session) agree to stop, and how an error in one of them reaches the main thread."""
import contextlib
import sys
import threading
import time

from .. import errors

__all__ = ["Coordinator"]


class Coordinator:
    """Threads call `should_stop()` in their loops; any of them (or the main thread) calls
    `request_stop()`; `join()` waits for them and re-raises the first error reported through
    `request_stop(ex)` or `stop_on_exception()`. OutOfRangeError (an input that ran out) is a
    clean stop, not an error, unless `clean_stop_exception_types` says otherwise."""

    def __init__(self, clean_stop_exception_types=None):
        if clean_stop_exception_types is None:
            clean_stop_exception_types = (errors.OutOfRangeError,)
        self._clean_stop_exception_types = tuple(clean_stop_exception_types)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info_to_raise = None
        self._joined = False
        self._registered_threads = set()

    def _filter_exception(self, ex):
        exc = ex[1] if isinstance(ex, tuple) else ex
        if isinstance(exc, self._clean_stop_exception_types):
            return None
        return ex

    def request_stop(self, ex=None):
        """Asks every thread to stop. `ex` (an exception, or a sys.exc_info() tuple) is kept
        to be re-raised by join(), unless it is a clean-stop type or one is kept already."""
        with self._lock:
            ex = self._filter_exception(ex)
            if self._joined:
                if isinstance(ex, tuple):
                    _, value, _ = ex
                    raise value
                if ex is not None:
                    raise ex
            if ex is not None and self._exc_info_to_raise is None:
                if isinstance(ex, tuple):
                    self._exc_info_to_raise = ex
                else:
                    if not isinstance(ex, BaseException):
                        raise TypeError(f"ex must be an exception or a sys.exc_info() tuple, "
                                        f"got {type(ex).__name__}")
                    self._exc_info_to_raise = (type(ex), ex, ex.__traceback__)
            self._stop_event.set()

    def clear_stop(self):
        """Lets threads run again (only between joins)."""
        with self._lock:
            self._joined = False
            self._exc_info_to_raise = None
            if self._stop_event.is_set():
                self._stop_event.clear()

    def should_stop(self):
        return self._stop_event.is_set()

    @contextlib.contextmanager
    def stop_on_exception(self):
        """Any exception in the block requests a stop (and is kept for join) instead of
        propagating."""
        try:
            yield
        except BaseException:  # noqa: BLE001 - reported to the coordinator
            self.request_stop(ex=sys.exc_info())

    def wait_for_stop(self, timeout=None):
        """Waits until a stop is requested; whether one was within `timeout` seconds."""
        return self._stop_event.wait(timeout)

    def register_thread(self, thread):
        with self._lock:
            self._registered_threads.add(thread)

    def join(self, threads=None, stop_grace_period_secs=120, ignore_live_threads=False):
        """Waits until a stop is requested or all `threads` (and registered ones) end, gives
        the rest `stop_grace_period_secs` to end, then re-raises a reported error. Threads
        still alive after that are a RuntimeError unless `ignore_live_threads`."""
        with self._lock:
            threads = set(threads or ()) | self._registered_threads
            threads = list(threads)
        while any(t.is_alive() for t in threads) and not self.wait_for_stop(0.05):
            pass
        end = time.monotonic() + stop_grace_period_secs
        stragglers = [t for t in threads if t.is_alive()]
        while stragglers and time.monotonic() < end:
            time.sleep(min(0.01, max(0.0, end - time.monotonic())))
            stragglers = [t for t in threads if t.is_alive()]
        with self._lock:
            self._joined = True
            self._registered_threads = set()
            if self._exc_info_to_raise:
                _, value, tb = self._exc_info_to_raise
                raise value.with_traceback(tb)
        if stragglers and not ignore_live_threads:
            raise RuntimeError("Coordinator stopped with threads still running: " +
                               " ".join(t.name for t in stragglers))

    @property
    def joined(self):
        return self._joined

    def raise_requested_exception(self):
        with self._lock:
            if self._exc_info_to_raise:
                _, value, tb = self._exc_info_to_raise
                raise value.with_traceback(tb)
