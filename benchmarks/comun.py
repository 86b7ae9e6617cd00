"""El ayudante de todos los benchmarks: procesos enteros, intercalados con su línea de base.

Un objetivo de velocidad habla de lo que espera el usuario: se mide el proceso ``amauta``
completo (arranque, imports, conexión, consulta y dibujo en el formato por defecto),
intercalado con su línea de base (A, B, A, B...) en la misma corrida, y se informan la mediana y
el mínimo de los tiempos y de la razón de cada par, con la carga de la máquina al lado.

    from comun import Comando, comparar, imprimir
    r = comparar(
        "asistencia ver",
        Comando(["amauta", "asistencia", "ver", "-g", "4to Grado A"], env=env),
        Comando([sys.executable, "-c", PISO], env=env),
        pares=7,
    )
    imprimir([r])
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

RAIZ = Path(__file__).resolve().parent.parent


def amauta() -> list[str]:
    """El comando ``amauta`` del entorno virtual en uso (como lo corre un usuario)."""
    bin_ = Path(sys.executable).parent / "amauta"
    return [str(bin_)] if bin_.exists() else [sys.executable, "-m", "amauta_cli"]


@dataclass
class Comando:
    argv: Sequence[str]
    env: dict[str, str] | None = None
    entrada: bytes | None = None
    #: Algo que preparar antes de cada corrida, fuera del tiempo medido (p. ej. vaciar la tabla).
    antes: Callable[[], None] | None = None
    #: Salida estándar: por defecto se descarta (como un archivo); ``None`` la hereda.
    stdout: int | None = subprocess.DEVNULL
    cwd: str | None = None

    def correr(self) -> float:
        if self.antes:
            self.antes()
        env = {**os.environ, **(self.env or {})}
        t0 = time.perf_counter()
        r = subprocess.run(
            list(self.argv), env=env, input=self.entrada, stdout=self.stdout,
            stderr=subprocess.PIPE, cwd=self.cwd,
        )
        t = time.perf_counter() - t0
        if r.returncode != 0:
            raise SystemExit(
                f"falló {' '.join(map(str, self.argv))} (código {r.returncode}):\n"
                + r.stderr.decode(errors="replace")[-2000:]
            )
        return t


@dataclass
class Resultado:
    nombre: str
    a: list[float] = field(default_factory=list)
    b: list[float] = field(default_factory=list)
    cargas: list[float] = field(default_factory=list)
    base: str = "línea de base"

    @property
    def razones(self) -> list[float]:
        return [x / y for x, y in zip(self.a, self.b) if y > 0]

    def resumen(self) -> dict[str, float]:
        return {
            "amauta_mediana_s": statistics.median(self.a),
            "amauta_min_s": min(self.a),
            "base_mediana_s": statistics.median(self.b),
            "base_min_s": min(self.b),
            "razon_mediana": statistics.median(self.razones),
            "razon_min": min(self.razones),
            "carga_media": statistics.mean(self.cargas) if self.cargas else float("nan"),
        }


def carga() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:  # pragma: no cover
        return float("nan")


def comparar(nombre: str, a: Comando, b: Comando, pares: int = 5, calentar: int = 1, base: str = "línea de base") -> Resultado:
    """Corre A y B intercalados ``pares`` veces (más ``calentar`` pares descartados)."""
    pares = max(pares, 5)
    r = Resultado(nombre, base=base)
    for i in range(calentar + pares):
        ta = a.correr()
        tb = b.correr()
        if i >= calentar:
            r.a.append(ta)
            r.b.append(tb)
            r.cargas.append(carga())
        print(f"  {nombre}: par {i + 1}/{calentar + pares}: amauta {ta * 1000:.0f} ms, base {tb * 1000:.0f} ms (carga {carga():.2f})", file=sys.stderr)
    return r


def imprimir(resultados: Sequence[Resultado], objetivo: float | None = None) -> None:
    """Una tabla con medianas, mínimos y razones (mediana de las razones por par)."""
    print(f"{'medida':<38} {'amauta med/min':>16} {'base med/min':>16} {'razón med (mín)':>16} {'carga':>6}")
    for r in resultados:
        s = r.resumen()
        marca = ""
        if objetivo is not None:
            marca = "  ✔" if s["razon_mediana"] <= objetivo else f"  ✘ (objetivo ≤ {objetivo:g}×)"
        print(
            f"{r.nombre:<38} {s['amauta_mediana_s'] * 1000:7.0f}/{s['amauta_min_s'] * 1000:<6.0f}ms "
            f"{s['base_mediana_s'] * 1000:7.0f}/{s['base_min_s'] * 1000:<6.0f}ms "
            f"{s['razon_mediana']:8.2f}× ({s['razon_min']:.2f}) {s['carga_media']:6.2f}{marca}"
        )
