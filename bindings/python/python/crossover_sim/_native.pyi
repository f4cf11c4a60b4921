"""Type hints of the native module (src/lib.rs); use the functions of crossover_sim."""

from typing import List, Optional, TypedDict

class CrossoverSimError(Exception):
    """A crossover-sim error; its message is the command line's."""

class _RunFiles(TypedDict):
    json: str
    csv: str
    hints: List[str]
    warning: Optional[str]

class _SweepFiles(TypedDict):
    json: str
    csv: str
    hints: List[str]

class _Validated(TypedDict):
    name: str
    enrolled: int
    looks: List[int]
    primary: str
    replicates: int
    seed: int
    hints: List[str]
    resolved: str

def run(
    config: str,
    set: List[str],
    replicates: Optional[int],
    seed: Optional[int],
    threads: Optional[int],
    progress: bool,
) -> _RunFiles: ...
def sweep(
    config: str,
    param: str,
    values: Optional[str],
    param2: Optional[str],
    values2: Optional[str],
    target_power: Optional[float],
    set: List[str],
    replicates: Optional[int],
    seed: Optional[int],
    threads: Optional[int],
    progress: bool,
) -> _SweepFiles: ...
def validate(
    config: str, set: List[str], replicates: Optional[int], seed: Optional[int]
) -> _Validated: ...
def boundaries(
    looks: List[float],
    spending: str,
    alpha: float,
    sided: int,
    gamma: Optional[float],
    rho: Optional[float],
    interim_z: Optional[float],
) -> str: ...
def samplesize(
    config: str,
    target_power: float,
    adjust_alpha: bool,
    set: List[str],
    replicates: Optional[int],
    seed: Optional[int],
    threads: Optional[int],
    progress: bool,
) -> str: ...
def init(
    design: str, conditions: Optional[List[str]], endpoint: str, file: Optional[str]
) -> str: ...
