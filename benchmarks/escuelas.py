"""Escuelas bajo la seguridad por filas y el costo de la auditoría (PostgreSQL).

Dos medidas, cada una contra su línea de base en la misma corrida, con procesos ``amauta``
enteros intercalados (``comun.comparar``: A, B, A, B...; mediana y mínimo de ≥ 5 pares):

1. Reportes de UNA escuela sobre el distrito de ``datos_grandes`` (2.000.000 de filas por
   defecto): ``asistencia alertas`` y ``calificaciones desaprobados`` con las credenciales de la
   escuela (sin ``--institucion``: las políticas filtran), contra el mismo comando con las
   credenciales del dueño y ``--institucion`` explícita. Objetivo: ≤ 1,5×.
2. ``asistencia importar`` de un ciclo lectivo (400 grupos × 25 × 200 días = 2.000.000 de
   filas, el archivo de ``benchmarks/asistencia.py``) con la auditoría activa, contra ``\\copy``
   de psql de las mismas filas ya resueltas, con los disparadores de auditoría apagados (lo
   que hacía la base antes de auditar; índices y claves foráneas, los mismos). Objetivo:
   importar ≥ 70 % de la velocidad del ``\\copy`` (razón de tiempos ≤ 1/0,7 ≈ 1,43×). Con ``--sin-auditoria`` también se mide importar sin los disparadores de
   auditoría, para ver cuánto cuestan ellos solos.

Borra lo que crea (bases, el rol de escuela, archivos) al terminar.

    .venv/bin/python benchmarks/escuelas.py [--filas 2000000] [--escala 1] [--pares 5]
        [--solo reportes|importar] [--sin-auditoria]
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import comun  # noqa: E402
from comun import BasePG, Comando, amauta, carga, comparar, imprimir  # noqa: E402

PASSWORD = "Clave-del-benchmark-2024"
TRIGGERS_AUDITORIA = ("amauta_auditar_insert", "amauta_auditar_update", "amauta_auditar_delete")


def _como(bd: BasePG, usuario: str) -> str:
    """La URL de la misma base con las credenciales de un rol de escuela."""
    from sqlalchemy.engine import make_url

    return make_url(bd.url).set(username=usuario, password=PASSWORD).render_as_string(hide_password=False)


def _auditoria(bd: BasePG, activa: bool) -> None:
    accion = "ENABLE" if activa else "DISABLE"
    for tabla in ("Asistencia", "Calificacion"):
        for t in TRIGGERS_AUDITORIA:
            bd.ejecutar(f'ALTER TABLE "{tabla}" {accion} TRIGGER "{t}"')


# --- 1. Reportes de una escuela ----------------------------------------------------------------
def reportes(filas: int, pares: int) -> list:
    import subprocess

    import psycopg
    from datos_grandes import generar

    from amauta_cli.db import cerrar_motores

    rol = f"amauta_bench_{uuid.uuid4().hex[:8]}"
    resultados = []
    with BasePG("escuelas") as bd:
        try:
            t0 = time.perf_counter()
            _auditoria(bd, False)  # los datos "de antes": generarlos no es lo que se mide
            conteos = generar(bd.url, filas=filas)
            _auditoria(bd, True)
            cerrar_motores()
            bd.ejecutar("VACUUM ANALYZE")
            inst_id, inst_nombre, grupos = bd.ejecutar(
                'SELECT i.id, i.nombre, count(g.id) FROM "Institucion" i JOIN "Grupo" g ON g."institucionId" = i.id '
                "GROUP BY i.id, i.nombre ORDER BY i.nombre LIMIT 1"
            )[0]
            print(
                f"distrito: {conteos['Asistencia']:,} asistencias, {conteos['Calificacion']:,} notas, "
                f"{conteos['Institucion']} escuelas ({time.perf_counter() - t0:.0f} s); escuela medida: "
                f"{inst_nombre} ({grupos} grupos)",
                flush=True,
            )
            p = subprocess.run(
                [*amauta(), "--db-url", bd.url, "accesos", "crear", "--institucion", inst_id, "--rol", rol,
                 "--password-stdin"],
                input=PASSWORD + "\n", text=True, capture_output=True,
            )
            if p.returncode != 0:
                raise SystemExit(p.stderr)
            escuela = _como(bd, rol)
            env = {"COLUMNS": "120"}
            for titulo, args in (
                ("asistencia alertas (1 escuela)", ["asistencia", "alertas", "--desde", "2024-03-01"]),
                ("calificaciones desaprobados (1 escuela)", ["calificaciones", "desaprobados"]),
            ):
                resultados.append(
                    comparar(
                        titulo,
                        Comando([*amauta(), "--db-url", escuela, *args], env=env),
                        Comando([*amauta(), "--db-url", bd.url, *args, "--institucion", inst_id], env=env),
                        pares=pares,
                        base="dueño con --institucion",
                        objetivo=1.5,
                    )
                )
        finally:
            cerrar_motores()
            with psycopg.connect(comun.PG_ADMIN, autocommit=True) as c:
                # El rol es del servidor: se borra aunque algo falle (antes, lo que posee en la base).
                c.execute(f'DROP ROLE IF EXISTS "{rol}"')
    return resultados


# --- 2. Importar con auditoría ---------------------------------------------------------------------
def importar(escala: float, pares: int, sin_auditoria: bool, carpeta: Path) -> list:
    from asistencia import COLS, _n, crear_estructura, generar_archivos

    from amauta_cli.db import cerrar_motores

    resultados = []
    with BasePG("auditoria") as bd:
        grupos = max(1, round(400 * escala))
        nombres, ids, por_grupo = crear_estructura(bd.url, grupos)
        csv_ruta, _, crudo, total = generar_archivos(carpeta, nombres, ids, por_grupo)
        cerrar_motores()
        print(f"importar: {total:,} filas ({csv_ruta.stat().st_size / 2**20:.0f} MiB de CSV)", flush=True)

        def vaciar(auditar: bool) -> None:
            bd.ejecutar('TRUNCATE "Asistencia", "_amauta_auditoria"')
            bd.ejecutar("CHECKPOINT")
            _auditoria(bd, auditar)

        # La línea de base: \copy de psql de las mismas filas ya resueltas a ids, en la misma
        # tabla con sus índices y claves foráneas, sin los disparadores de auditoría (lo que
        # hacía la base antes de auditar). La ruta es un temporal del benchmark.
        copy = comun.psql(bd, f"\\copy \"Asistencia\" {COLS} FROM '{crudo}'", antes=lambda: vaciar(False))
        importar_cmd = [*amauta(), "--db-url", bd.url, "asistencia", "importar", str(csv_ruta)]
        resultados.append(
            comparar(
                "importar con auditoría",
                Comando(importar_cmd, antes=lambda: vaciar(True), espera=f"Importadas {_n(total)} filas"),
                copy, pares=pares, calentar=0, base="\\copy a secas", objetivo=1 / 0.7,
            )
        )
        if sin_auditoria:
            resultados.append(
                comparar(
                    "importar sin auditoría",
                    Comando(importar_cmd, antes=lambda: vaciar(False)),
                    copy, pares=pares, calentar=0, base="\\copy a secas", objetivo=1 / 0.7,
                )
            )
        _auditoria(bd, True)
    for f in carpeta.glob("*"):
        f.unlink()
    return resultados


def main() -> None:
    ap = comun.argumentos(__doc__)
    ap.add_argument("--filas", type=int, default=2_000_000, help="filas del distrito para los reportes")
    ap.add_argument("--solo", choices=["reportes", "importar"], default=None)
    ap.add_argument("--sin-auditoria", action="store_true", help="mide también importar sin auditoría")
    a = ap.parse_args()
    comun.encabezado("Escuelas bajo la seguridad por filas y costo de la auditoría", filas=f"{a.filas:,}")
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
        print("Importar asistencia con auditoría (base: \\copy a secas, sin los disparadores de auditoría); "
              "objetivo ≥ 70 % de su velocidad")
        imprimir(imp, objetivo=1 / 0.7)
        for r in imp:
            s = r.resumen()
            print(f"  {r.nombre}: {100 / s['razon_mediana']:.0f} % de la velocidad del \\copy "
                  f"(mediana de los pares; el peor par, {100 / max(r.razones):.0f} %)")
    print(f"carga al terminar: {carga():.2f}")


if __name__ == "__main__":
    main()
