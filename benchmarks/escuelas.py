"""Escuelas bajo la seguridad por filas y el costo de la auditoría (PostgreSQL).

Dos medidas, cada una contra su línea de base en la misma corrida, con procesos ``amauta``
enteros intercalados (``comun.comparar``: A, B, A, B...; mediana y mínimo de ≥ 5 pares):

1. Reportes de UNA escuela sobre el distrito de ``datos_grandes`` (2.000.000 de filas por
   defecto): ``asistencia alertas`` y ``calificaciones desaprobados`` con las credenciales de la
   escuela (sin ``--institucion``: las políticas filtran), contra el mismo comando con las
   credenciales del dueño y ``--institucion`` explícita. Objetivo: ≤ 1,5×.
2. ``asistencia importar`` de un ciclo lectivo (400 grupos × 25 × 200 días = 2.000.000 de
   filas, el archivo de ``benchmarks/asistencia.py``) con la auditoría activa, contra un
   ``COPY`` a secas de las mismas filas ya resueltas, con los disparadores de auditoría
   apagados (lo que hacía la base antes de auditar; las claves foráneas se comprueban igual). Objetivo: importar ≥ 70 % de la velocidad del COPY (razón de tiempos
   ≤ 1/0,7 ≈ 1,43×). Con ``--sin-auditoria`` también se mide importar sin los disparadores de
   auditoría, para ver cuánto cuestan ellos solos.

Borra lo que crea (bases, el rol de escuela, archivos) al terminar.

    .venv/bin/python benchmarks/escuelas.py [--filas 2000000] [--escala 1] [--pares 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from comun import Comando, amauta, carga, comparar, imprimir  # noqa: E402

PG_ADMIN = os.environ.get("AMAUTA_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "Clave-del-benchmark-2024"
TRIGGERS_AUDITORIA = ("amauta_auditar_insert", "amauta_auditar_update", "amauta_auditar_delete")


def _url(nombre: str, usuario: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(PG_ADMIN).set(drivername="postgresql+psycopg", database=nombre)
    if usuario:
        u = u.set(username=usuario, password=PASSWORD)
    return u.render_as_string(hide_password=False)


def _crear_bd(prefijo: str) -> str:
    import psycopg

    nombre = f"{prefijo}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{nombre}"')
    return nombre


def _borrar_bd(nombre: str) -> None:
    import psycopg

    from amauta_cli.db import cerrar_motores

    cerrar_motores()
    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)')


def _auditoria(url: str, activa: bool) -> None:
    import psycopg

    accion = "ENABLE" if activa else "DISABLE"
    with psycopg.connect(url.replace("+psycopg", "")) as c:
        for tabla in ("Asistencia", "Calificacion"):
            for t in TRIGGERS_AUDITORIA:
                c.execute(f'ALTER TABLE "{tabla}" {accion} TRIGGER "{t}"')


# --- 1. Reportes de una escuela ----------------------------------------------------------------
def reportes(filas: int, pares: int) -> list:
    from datos_grandes import generar

    from amauta_cli.db import cerrar_motores
    from amauta_cli.services.esquema import migrar

    nombre = _crear_bd("amauta_bench_escuelas")
    url = _url(nombre)
    rol = f"amauta_bench_{uuid.uuid4().hex[:8]}"
    resultados = []
    try:
        migrar(url)
        t0 = time.perf_counter()
        _auditoria(url, False)  # los datos "de antes": generarlos no es lo que se mide
        conteos = generar(url, filas=filas)
        _auditoria(url, True)
        cerrar_motores()
        import psycopg

        with psycopg.connect(url.replace("+psycopg", "")) as c:
            inst_id, inst_nombre, grupos = c.execute(
                'SELECT i.id, i.nombre, count(g.id) FROM "Institucion" i JOIN "Grupo" g ON g."institucionId" = i.id '
                "GROUP BY i.id, i.nombre ORDER BY i.nombre LIMIT 1"
            ).fetchone()
        print(
            f"distrito: {conteos['Asistencia']:,} asistencias, {conteos['Calificacion']:,} notas, "
            f"{conteos['Institucion']} escuelas ({time.perf_counter() - t0:.0f} s); escuela medida: "
            f"{inst_nombre} ({grupos} grupos)",
            flush=True,
        )
        import subprocess

        p = subprocess.run(
            [*amauta(), "--db-url", url, "accesos", "crear", "--institucion", inst_id, "--rol", rol, "--password-stdin"],
            input=PASSWORD + "\n", text=True, capture_output=True,
        )
        if p.returncode != 0:
            raise SystemExit(p.stderr)
        escuela = _url(nombre, rol)
        env = {"COLUMNS": "120"}
        for titulo, args in (
            ("asistencia alertas (1 escuela)", ["asistencia", "alertas", "--desde", "2024-03-01"]),
            ("calificaciones desaprobados (1 escuela)", ["calificaciones", "desaprobados"]),
        ):
            resultados.append(
                comparar(
                    titulo,
                    Comando([*amauta(), "--db-url", escuela, *args], env=env),
                    Comando([*amauta(), "--db-url", url, *args, "--institucion", inst_id], env=env),
                    pares=pares,
                    base="dueño con --institucion",
                )
            )
    finally:
        _borrar_bd(nombre)
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f'DROP ROLE IF EXISTS "{rol}"')
    return resultados


# --- 2. Importar con auditoría ---------------------------------------------------------------------
_COPY_CRUDO = """
import sys, psycopg
cols = '(id, "grupoId", "estudianteId", fecha, estado, observaciones, "createdAt", "updatedAt")'
with psycopg.connect(sys.argv[1]) as c, c.cursor() as cur:
    with cur.copy(f'COPY "Asistencia" {cols} FROM STDIN') as cp, open(sys.argv[2], 'rb') as f:
        while bloque := f.read(1 << 20):
            cp.write(bloque)
"""


def importar(escala: float, pares: int, sin_auditoria: bool, carpeta: Path) -> list:
    from asistencia import crear_estructura, generar_archivos

    from amauta_cli.db import cerrar_motores
    from amauta_cli.services.esquema import migrar

    nombre = _crear_bd("amauta_bench_auditoria")
    url = _url(nombre)
    resultados = []
    try:
        migrar(url)
        grupos = max(1, round(400 * escala))
        nombres, ids, por_grupo = crear_estructura(url, grupos)
        csv_ruta, _, crudo, total = generar_archivos(carpeta, nombres, ids, por_grupo, "postgresql")
        cerrar_motores()
        print(f"importar: {total:,} filas ({csv_ruta.stat().st_size / 2**20:.0f} MiB de CSV)", flush=True)
        dsn = url.replace("+psycopg", "")

        def vaciar() -> None:
            import psycopg

            with psycopg.connect(dsn) as c:
                c.execute('TRUNCATE "Asistencia", "_amauta_auditoria"')
                c.execute("CHECKPOINT")

        def antes_copy() -> None:
            vaciar()
            _auditoria(url, False)

        def antes_importar() -> None:
            vaciar()
            _auditoria(url, True)

        copy = Comando([sys.executable, "-c", _COPY_CRUDO, dsn, str(crudo)], antes=antes_copy)
        con_auditoria = Comando([*amauta(), "--db-url", url, "asistencia", "importar", str(csv_ruta)], antes=antes_importar)
        resultados.append(
            comparar("importar con auditoría", con_auditoria, copy, pares=pares, calentar=0, base="COPY a secas")
        )
        if sin_auditoria:
            sin = Comando([*amauta(), "--db-url", url, "asistencia", "importar", str(csv_ruta)], antes=antes_copy)
            resultados.append(
                comparar("importar sin auditoría", sin, copy, pares=pares, calentar=0, base="COPY a secas")
            )
    finally:
        _borrar_bd(nombre)
        for f in carpeta.glob("*"):
            f.unlink()
    return resultados


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--filas", type=int, default=2_000_000, help="filas del distrito para los reportes")
    ap.add_argument("--escala", type=float, default=1.0, help="multiplica los 400 grupos de importar")
    ap.add_argument("--pares", type=int, default=5)
    ap.add_argument("--solo", choices=["reportes", "importar"], default=None)
    ap.add_argument("--sin-auditoria", action="store_true", help="mide también importar sin auditoría")
    a = ap.parse_args()
    print(f"carga inicial de la máquina: {carga():.2f}", flush=True)
    rep, imp = [], []
    if a.solo in (None, "reportes"):
        rep = reportes(a.filas, a.pares)
    if a.solo in (None, "importar"):
        with tempfile.TemporaryDirectory(prefix="amauta-bench-") as d:
            imp = importar(a.escala, a.pares, a.sin_auditoria, Path(d))
    print()
    if rep:
        print("Reportes de una escuela bajo las políticas (base: el dueño con --institucion); objetivo ≤ 1,5×")
        imprimir(rep, objetivo=1.5)
    if imp:
        print("Importar asistencia con auditoría (base: COPY a secas, sin los disparadores de auditoría); objetivo ≥ 70 % del COPY")
        imprimir(imp, objetivo=1 / 0.7)
        for r in imp:
            s = r.resumen()
            print(f"  {r.nombre}: {100 / s['razon_mediana']:.0f} % de la velocidad del COPY (mediana de los pares)")


if __name__ == "__main__":
    main()
