"""Every exception newsprism raises on purpose, in one tree.

Each message says what went wrong with which input and, where there is one, what to do about it.
The CLI prints these as one line; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class NewsprismError(Exception):
    """Base of every expected failure."""


class InputError(NewsprismError):
    """One input cannot be analysed; the rest of the batch goes on."""

    def __init__(self, source: str, cause: str):
        self.source = source
        self.cause = cause
        super().__init__(f"{source}: {cause}")


class EmptyInput(InputError):
    pass


class BinaryInput(InputError):
    pass


class DecodeFailure(InputError):
    pass


class TooLarge(InputError):
    pass


class MalformedRecord(InputError):
    pass


class UnsupportedInput(InputError):
    pass


class StoreError(NewsprismError):
    """The store cannot be opened or written."""


class StoreBusy(StoreError):
    """Another run is writing the store."""


class UnknownStory(NewsprismError):
    """A story id the store does not hold."""

    def __init__(self, story_id: str):
        self.story_id = story_id
        super().__init__(f"no story {story_id!r} in the store; `newsprism stories` lists them")


class CorrectionError(NewsprismError):
    """A correction names something the store does not hold, or a value that cannot be one."""


class EngineError(NewsprismError):
    """The engine running the work (a Ray cluster) cannot be reached, or a worker died past its retries."""


class SettingError(NewsprismError):
    """A setting name or value is not valid."""


class MissingExtra(NewsprismError):
    """An optional feature needs a package that is not installed."""

    def __init__(self, feature: str, install: str):
        super().__init__(f"{feature} needs an optional package: pip install '{install}'")


class GeneratorError(NewsprismError):
    """The language model could not be reached or gave no usable answer (the brief falls back to extractive)."""


class EvalDataError(NewsprismError):
    """An evaluation file does not follow the documented format."""
