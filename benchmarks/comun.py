"""El ayudante de todos los benchmarks: procesos enteros, intercalados con su línea de base.

Un objetivo de velocidad habla de lo que espera el usuario: se mide el proceso ``amauta``
completo (arranque, imports, conexión, consulta y dibujo en el formato por defecto),
intercalado con su línea de base (A, B, A, B...) en la misma corrida, y se informan la mediana y
el mínimo de los tiempos y de la razón de cada par, con la carga de la máquina al lado de cada
cifra. Una cifra medida dentro de un proceso de Python ya caliente puede ir al lado, rotulada
como tal (``Resultado.extras``), nunca en lugar de la del proceso entero.

    import comun
    from comun import Comando, comparar, imprimir

    args = comun.argumentos(__doc__).parse_args()
    with comun.BasePG("asis") as bd:                  # base nueva, migrada; se borra al final
        r = comparar(
            "asistencia reporte",
            Comando([*comun.amauta(), "--db-url", bd.url, "asistencia", "reporte", "-g", g]),
            comun.psql(bd, sql),                      # la consulta principal sola, en psql
            pares=args.pares, objetivo=1.5,
        )
    imprimir([r])

Cada corrida es un proceso nuevo: además del reloj se guarda su CPU (usuario + sistema), para
decir dónde se va el tiempo (en el cliente o esperando al servidor).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Sequence

RAIZ = Path(__file__).resolve().parent.parent
if str(RAIZ) not in sys.path:
    sys.path.insert(0, str(RAIZ))

#: El servidor de los benchmarks (una base ``amauta_bench_*`` nueva en cada corrida).
PG_ADMIN = os.environ.get("AMAUTA_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

#: Un usuario corre ``amauta`` con el código ya compilado (``pip`` escribe los ``.pyc`` al
#: instalar, y el primer arranque los deja en ``__pycache__``). Con PYTHONDONTWRITEBYTECODE en
#: el entorno (lo ponen algunos entornos de desarrollo) cada corrida medida volvería a compilar
#: todos los módulos del paquete: se quita para los procesos medidos y se compila una vez aquí.
_SIN_ENTORNO = ("PYTHONDONTWRITEBYTECODE",)


def _compilar_paquete() -> None:
    import compileall

    compileall.compile_dir(str(RAIZ / "amauta_cli"), quiet=1)


_compilar_paquete()


def amauta() -> list[str]:
    """El comando ``amauta`` del entorno virtual en uso (como lo corre un usuario)."""
    bin_ = Path(sys.executable).parent / "amauta"
    return [str(bin_)] if bin_.exists() else [sys.executable, "-m", "amauta_cli"]


def carga() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:  # pragma: no cover
        return float("nan")


def argumentos(doc: str | None) -> argparse.ArgumentParser:
    """El analizador común: ``--pares`` (≥ 5) y ``--escala`` (tamaños menores al desarrollar)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pares", type=int, default=5, help="pares A/B medidos (mínimo 5; uno más de calentamiento)")
    ap.add_argument("--escala", type=float, default=1.0, help="multiplica los tamaños (0.1 al desarrollar)")
    return ap


def encabezado(titulo: str, **datos: Any) -> None:
    """Título, fecha, núcleos, carga y servidor: lo que hace falta para leer las cifras."""
    partes = [f"{k.replace('_', ' ')} {v}" for k, v in datos.items()]
    print(f"== {titulo}")
    print(
        f"   {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} núcleos, carga {carga():.2f}"
        + (", " + ", ".join(partes) if partes else ""),
        flush=True,
    )


# --- Comandos ----------------------------------------------------------------------------------------
@dataclass
class Medida:
    reloj: float
    cpu: float  # usuario + sistema del proceso hijo (``_medir_con_uso``)
    stdout: bytes = b""
    stderr: bytes = b""


@dataclass
class Comando:
    argv: Sequence[str]
    env: dict[str, str] | None = None
    entrada: bytes | None = None
    #: Algo que preparar antes de cada corrida, fuera del tiempo medido (p. ej. vaciar la tabla).
    antes: Callable[[], None] | None = None
    #: Salida estándar: por defecto se descarta (como un archivo); ``subprocess.PIPE`` la guarda.
    stdout: int | None = subprocess.DEVNULL
    cwd: str | None = None
    #: Texto que debe aparecer en stdout o stderr (que el comando hizo lo que se mide).
    espera: str | None = None

    def medir(self) -> Medida:
        if self.antes:
            self.antes()
        env = {k: v for k, v in os.environ.items() if k not in _SIN_ENTORNO}
        env.update(self.env or {})
        t0 = time.perf_counter()
        p = subprocess.Popen(
            list(self.argv), env=env, stdin=subprocess.PIPE if self.entrada is not None else subprocess.DEVNULL,
            stdout=self.stdout, stderr=subprocess.PIPE, cwd=self.cwd,
        )
        out, err = p.communicate(self.entrada)
        t = time.perf_counter() - t0
        if p.returncode != 0:
            raise SystemExit(
                f"falló {' '.join(map(str, self.argv))} (código {p.returncode}):\n"
                + err.decode(errors="replace")[-3000:]
            )
        m = Medida(t, 0.0, out or b"", err or b"")
        if self.espera is not None:
            texto = (out or b"").decode(errors="replace") + err.decode(errors="replace")
            if self.espera not in texto:
                raise SystemExit(f"{' '.join(map(str, self.argv))}: no dijo «{self.espera}»:\n{texto[-2000:]}")
        return m

    def correr(self) -> float:
        return self.medir().reloj


def _medir_con_uso(cmd: Comando) -> Medida:
    """``cmd.medir()`` con la CPU del hijo (diferencia de RUSAGE_CHILDREN)."""
    import resource

    antes = resource.getrusage(resource.RUSAGE_CHILDREN)
    m = cmd.medir()
    despues = resource.getrusage(resource.RUSAGE_CHILDREN)
    m.cpu = (despues.ru_utime - antes.ru_utime) + (despues.ru_stime - antes.ru_stime)
    return m


@dataclass
class Resultado:
    nombre: str
    a: list[float] = field(default_factory=list)
    b: list[float] = field(default_factory=list)
    cargas: list[float] = field(default_factory=list)
    cpu_a: list[float] = field(default_factory=list)
    #: El piso de arranque (opcional): un Python mínimo con el driver a secas haciendo lo mismo.
    p: list[float] = field(default_factory=list)
    base: str = "línea de base"
    #: Razón (amauta / base, mediana de las razones por par) que hay que no superar.
    objetivo: float | None = None
    #: Cifras de más, rotuladas (p. ej. "en proceso: 12 ms"); nunca reemplazan a las de arriba.
    extras: list[str] = field(default_factory=list)

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
            "cpu_mediana_s": statistics.median(self.cpu_a) if self.cpu_a else float("nan"),
            "piso_mediana_s": statistics.median(self.p) if self.p else float("nan"),
            "razon_piso": statistics.median([x / y for x, y in zip(self.a, self.p)]) if self.p else float("nan"),
            "carga_media": statistics.mean(self.cargas) if self.cargas else float("nan"),
            "carga_min": min(self.cargas) if self.cargas else float("nan"),
            "carga_max": max(self.cargas) if self.cargas else float("nan"),
        }

    @property
    def cumple(self) -> bool | None:
        if self.objetivo is None:
            return None
        return self.resumen()["razon_mediana"] <= self.objetivo


def comparar(
    nombre: str,
    a: Comando,
    b: Comando,
    pares: int = 5,
    calentar: int = 1,
    base: str = "línea de base",
    objetivo: float | None = None,
    piso: Comando | None = None,
) -> Resultado:
    """Corre A y B intercalados ``pares`` veces (más ``calentar`` pares descartados).

    Con ``piso`` (p. ej. ``piso_python``), cada ronda corre A, B y el piso: la parte del tiempo
    de amauta que es arranque de Python frente a la que es trabajo (issue 10: ≤ 2× el piso).
    """
    pares = max(pares, 5)
    r = Resultado(nombre, base=base, objetivo=objetivo)
    for i in range(calentar + pares):
        ma = _medir_con_uso(a)
        tb = b.medir().reloj
        tp = piso.medir().reloj if piso is not None else None
        c = carga()
        if i >= calentar:
            r.a.append(ma.reloj)
            r.b.append(tb)
            r.cargas.append(c)
            r.cpu_a.append(ma.cpu)
            if tp is not None:
                r.p.append(tp)
        print(
            f"  {nombre}: par {i + 1}/{calentar + pares}{' (calentamiento)' if i < calentar else ''}: "
            f"amauta {_t(ma.reloj)} (CPU {_t(ma.cpu)}), {base} {_t(tb)}, razón {ma.reloj / tb:.2f}"
            + (f", piso {_t(tp)}" if tp is not None else "") + f" (carga {c:.2f})",
            file=sys.stderr, flush=True,
        )
    return r


def medir_serie(nombre: str, cmd: Comando, veces: int = 5, calentar: int = 1) -> tuple[list[float], list[float]]:
    """Solo A (sin base): tiempos y cargas de ``veces`` corridas tras ``calentar``."""
    tiempos, cargas = [], []
    for i in range(calentar + veces):
        t = cmd.correr()
        c = carga()
        if i >= calentar:
            tiempos.append(t)
            cargas.append(c)
        print(f"  {nombre}: corrida {i + 1}/{calentar + veces}: {_t(t)} (carga {c:.2f})", file=sys.stderr, flush=True)
    return tiempos, cargas


def _t(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 10 else f"{s:.1f} s"


def imprimir(resultados: Sequence[Resultado], objetivo: float | None = None) -> None:
    """Una tabla con medianas, mínimos y razones (mediana de las razones por par), la carga al
    lado de cada cifra y, si hay objetivo, si se cumple."""
    print(
        f"{'medida':<48} {'amauta med/mín':>17} {'CPU':>7} {'base med/mín':>17} "
        f"{'razón med (mín)':>16} {'carga (mín–máx)':>16}"
    )
    for r in resultados:
        s = r.resumen()
        meta = r.objetivo if r.objetivo is not None else objetivo
        marca = ""
        if meta is not None:
            marca = f"  ✔ (≤ {meta:g}×)" if s["razon_mediana"] <= meta else f"  ✘ (objetivo ≤ {meta:g}×)"
        print(
            f"{r.nombre:<48} {_t(s['amauta_mediana_s']):>8}/{_t(s['amauta_min_s']):<8} {_t(s['cpu_mediana_s']):>7} "
            f"{_t(s['base_mediana_s']):>8}/{_t(s['base_min_s']):<8} "
            f"{s['razon_mediana']:8.2f}× ({s['razon_min']:.2f}) "
            f"{s['carga_media']:5.2f} ({s['carga_min']:.1f}–{s['carga_max']:.1f}){marca}"
        )
        print(f"{'':<50}base: {r.base}")
        if r.p:
            print(
                f"{'':<50}piso (Python + psycopg, la misma consulta): {_t(s['piso_mediana_s'])}; "
                f"amauta / piso {s['razon_piso']:.2f}×"
            )
        for e in r.extras:
            print(f"{'':<50}{e}")
    sys.stdout.flush()


# --- PostgreSQL -----------------------------------------------------------------------------------------
def dsn(url: str) -> str:
    """La URL para psycopg/psql (sin ``+psycopg``)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class BasePG:
    """Una base ``amauta_bench_<prefijo>_*`` nueva y migrada; se borra al salir (salvo ``conservar``)."""

    def __init__(self, prefijo: str, conservar: bool = False, migrar: bool = True):
        self.nombre = f"amauta_bench_{prefijo}_{uuid.uuid4().hex[:8]}"
        self.conservar, self._migrar = conservar, migrar
        from sqlalchemy.engine import make_url

        self.url = (
            make_url(PG_ADMIN).set(drivername="postgresql+psycopg", database=self.nombre)
            .render_as_string(hide_password=False)
        )
        self.dsn = dsn(self.url)

    def __enter__(self) -> "BasePG":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{self.nombre}"')
        if self._migrar:
            from amauta_cli.services.esquema import migrar

            migrar(self.url)
        return self

    def __exit__(self, *_exc: Any) -> None:
        from amauta_cli.db import cerrar_motores

        cerrar_motores()
        if self.conservar:
            print(f"(base conservada: {self.nombre})")
            return
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{self.nombre}" WITH (FORCE)')

    def ejecutar(self, sql: str) -> list[tuple]:
        """Una sentencia en autocommit (fuera del tiempo medido)."""
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as c:
            cur = c.execute(sql)
            return cur.fetchall() if cur.description else []


def psql(bd: "BasePG | str", *sentencias: str, **kw: Any) -> Comando:
    """``psql`` con ``sentencias`` (SQL o metacomandos como ``\\copy``), la salida descartada.

    Es la línea de base de «lo mismo a mano»: el proceso psql entero, con su conexión.
    """
    destino = bd.dsn if isinstance(bd, BasePG) else dsn(bd)
    argv = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", destino]
    for s in sentencias:
        argv += ["-c", s]
    return Comando(argv, **kw)


_PISO = (
    "import sys, psycopg\n"
    "with psycopg.connect(sys.argv[1]) as c:\n"
    "    for s in sys.argv[2:]:\n"
    "        cur = c.execute(s)\n"
    "        if cur.description: cur.fetchall()\n"
)


def piso_python(bd: "BasePG | str", *sentencias: str) -> Comando:
    """El piso de arranque: un proceso Python mínimo que abre una conexión con el driver a
    secas, corre ``sentencias`` y lee las filas (lo menos que puede costar en Python)."""
    destino = bd.dsn if isinstance(bd, BasePG) else dsn(bd)
    return Comando([sys.executable, "-c", _PISO, destino, *sentencias])


def sql_de(url: str, fn: Callable[[Any], Any], solo_lectura: bool = True) -> str:
    """La sentencia más lenta que ``fn(sesion)`` envía, con sus parámetros ya puestos, lista
    para ``psql``: la consulta principal de un comando, tal cual la manda amauta."""
    import psycopg
    from sqlalchemy import event

    from amauta_cli.db import crear_motor, transaccion

    motor = crear_motor(url)
    capturas: list[list[Any]] = []

    def antes(_con, cur, sentencia, parametros, _ctx, _many):
        capturas.append([sentencia, parametros, time.perf_counter()])

    def despues(_con, _cur, _s, _p, _ctx, _many):
        capturas[-1][2] = time.perf_counter() - capturas[-1][2]

    # Los servicios que van por el driver a secas (db.Cruda) no pasan por los eventos de
    # SQLAlchemy: sus sentencias se capturan en Cruda._cursor (ya con %(nombre)s).
    from amauta_cli.db import Cruda

    original = Cruda._cursor

    def cursor_medido(cruda, sentencia, parametros):
        t0 = time.perf_counter()
        cur = original(cruda, sentencia, parametros)
        capturas.append([cruda._sql(sentencia), parametros, time.perf_counter() - t0])
        return cur

    flujo_original = Cruda.flujo

    def flujo_medido(cruda, sentencia, tramo=2000, **parametros):  # las filas por tramos
        t0 = time.perf_counter()
        yield from flujo_original(cruda, sentencia, tramo, **parametros)
        capturas.append([cruda._sql(sentencia), parametros, time.perf_counter() - t0])

    event.listen(motor, "before_cursor_execute", antes)
    event.listen(motor, "after_cursor_execute", despues)
    Cruda._cursor = cursor_medido
    Cruda.flujo = flujo_medido
    try:
        with transaccion(url, solo_lectura=solo_lectura) as s:
            fn(s)
    finally:
        Cruda._cursor = original
        Cruda.flujo = flujo_original
        event.remove(motor, "before_cursor_execute", antes)
        event.remove(motor, "after_cursor_execute", despues)
    sentencia, parametros, _ = max(capturas, key=lambda c: c[2])
    with psycopg.connect(dsn(url)) as c:
        return psycopg.ClientCursor(c).mogrify(sentencia, parametros)
