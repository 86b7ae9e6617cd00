"""Crecimiento: ``asistencia importar``, ``asistencia reporte``, ``asistencia alertas`` y
``calificaciones desaprobados`` a dos o tres tamaños del distrito, procesos enteros intercalados
con su línea de base (``benchmarks/comun.py``), y el factor de crecimiento de cada uno.

Cada tamaño es una base nueva (``asistencia.py``: grupos de 25 estudiantes, 200 días hábiles;
10 materias × 3 períodos de notas por estudiante). Por defecto 0,5, 2 y 8 millones de filas de
asistencia (``--tamanos`` en millones; ``--escala`` los multiplica). Se imprime, por tamaño, el
tiempo de amauta y el de su base, y al final cuánto creció cada medida cuando los datos se
multiplicaron: un reporte que crece más rápido que sus datos aparece ahí.

Las líneas de base: ``\\copy`` de las mismas filas resueltas (importar) y la consulta principal
sola en ``psql`` (reportes), como en ``asistencia.py`` y ``calificaciones.py``.

    .venv/bin/python benchmarks/crecimiento.py [--tamanos 0.5,2,8] [--pares 5] [--sin-importar]

Borra lo que crea al terminar. El tamaño mayor tarda en armarse (se imprime cuánto).
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import asistencia as A  # noqa: E402
import comun  # noqa: E402
from comun import BasePG, comparar, imprimir  # noqa: E402

MATERIAS = ["Matemática", "Lengua", "Ciencias Naturales", "Ciencias Sociales", "Inglés",
            "Educación Física", "Música", "Plástica", "Tecnología", "Formación Ética"]
PERIODOS = ["1er Trimestre", "2do Trimestre", "3er Trimestre"]


def _n(x: float) -> str:
    return f"{x:,.0f}".replace(",", ".")


def sembrar_notas(bd: BasePG, datos: dict) -> int:
    """10 materias × 3 períodos por estudiante (COPY), con su nivel: algunos desaprueban."""
    import psycopg

    from amauta_cli.ids import ahora, cuids

    azar = random.Random(11)
    t = ahora()
    n = sum(len(x) for x in datos["por_grupo"]) * len(MATERIAS) * len(PERIODOS)
    ids = iter(cuids(n))
    with psycopg.connect(bd.dsn) as con, con.cursor() as cur:
        with cur.copy('COPY "Calificacion" (id, "grupoId", "estudianteId", materia, periodo, nota, '
                      '"notaMaxima", "createdAt", "updatedAt") FROM STDIN') as cp:
            for gid, lista in zip(datos["ids_grupo"], datos["por_grupo"]):
                for uid, _email in lista:
                    nivel = azar.gauss(7.0, 1.4)
                    for m in MATERIAS:
                        for p in PERIODOS:
                            nota = min(10.0, max(1.0, round(azar.gauss(nivel, 1.1) * 2) / 2))
                            cp.write_row((next(ids), gid, uid, m, p, nota, 10.0, t, t))
        con.commit()
    return n


def medir_tamano(millones: float, pares: int, importar: bool, carpeta: Path) -> tuple[dict, list[comun.Resultado]]:
    from amauta_cli.services import asistencia as svc
    from amauta_cli.services import calificaciones as cal

    grupos = max(1, round(millones * 1_000_000 / (A.ESTUDIANTES_POR_GRUPO * A.DIAS)))
    resultados: list[comun.Resultado] = []
    with BasePG("crec") as bd:
        t0 = time.perf_counter()
        datos = A.preparar(bd, grupos, carpeta)
        notas = sembrar_notas(bd, datos)
        armado = time.perf_counter() - t0
        info = {"filas": datos["filas"], "notas": notas, "armado_s": armado}
        comun.encabezado(f"tamaño {_n(datos['filas'])} filas de asistencia", grupos=grupos,
                         notas=_n(notas), armado=f"{armado:.0f} s")
        if importar:
            r = A.medir_importar(bd, datos, pares)
            r.nombre = "asistencia importar"
            resultados.append(r)
        else:  # la tabla llena con \copy, sin medir
            A.copiar_crudo(bd, datos["crudo"]).correr()
        bd.ejecutar("VACUUM ANALYZE")
        regla = svc.regla_vigente()
        grupo = datos["nombres"][len(datos["nombres"]) // 2]
        consultas = (
            ("asistencia reporte (1 grupo)", lambda s: svc.reporte(s, grupo, A.DESDE, A.HASTA, regla),
             ["asistencia", "reporte", "-g", grupo, "--desde", A.DESDE.isoformat(), "--hasta", A.HASTA.isoformat()]),
            ("asistencia alertas (distrito)", lambda s: svc.alertas(s, regla, A.DESDE),
             ["asistencia", "alertas", "--desde", A.DESDE.isoformat()]),
            ("calificaciones desaprobados (distrito)", lambda s: cal.desaprobados(s, r=cal.Reglas()),
             ["calificaciones", "desaprobados"]),
        )
        for nombre, fn, args in consultas:
            sql = comun.sql_de(bd.url, fn)
            resultados.append(comparar(nombre, A.cmd_amauta(bd, *args), comun.psql(bd, sql), pares=pares,
                                       base="su consulta principal sola en psql", objetivo=1.5))
        for f in carpeta.iterdir():
            f.unlink()
    return info, resultados


def main() -> None:
    ap = comun.argumentos(__doc__)
    ap.add_argument("--tamanos", default="0.5,2,8", help="millones de filas de asistencia, separados por comas")
    ap.add_argument("--sin-importar", action="store_true", help="solo los reportes (la tabla se llena con \\copy)")
    args = ap.parse_args()
    tamanos = [float(x) * args.escala for x in args.tamanos.split(",") if x.strip()]
    carpeta = Path(tempfile.mkdtemp(prefix="amauta-bench-crec-"))
    por_tamano: list[tuple[dict, list[comun.Resultado]]] = []
    try:
        for m in tamanos:
            info, res = medir_tamano(m, args.pares, not args.sin_importar, carpeta)
            print()
            imprimir(res)
            print(flush=True)
            por_tamano.append((info, res))
    finally:
        shutil.rmtree(carpeta, ignore_errors=True)

    print("== crecimiento (medianas; entre paréntesis, la línea de base)")
    encabezado = f"{'medida':<40}" + "".join(f"{_n(i['filas']) + ' filas':>26}" for i, _ in por_tamano)
    print(encabezado + "   crecimiento de amauta (de la base; de los datos)")
    nombres = [r.nombre for r in por_tamano[0][1]]
    for k, nombre in enumerate(nombres):
        fila = f"{nombre:<40}"
        meds, bases = [], []
        for info, res in por_tamano:
            s = res[k].resumen()
            meds.append(s["amauta_mediana_s"])
            bases.append(s["base_mediana_s"])
            fila += f"{comun._t(s['amauta_mediana_s']):>12} ({comun._t(s['base_mediana_s'])}) c{s['carga_media']:4.1f}"
        factores = [
            f"×{meds[i] / meds[i - 1]:.2f} (base ×{bases[i] / bases[i - 1]:.2f}; "
            f"datos ×{por_tamano[i][0]['filas'] / por_tamano[i - 1][0]['filas']:.1f})"
            for i in range(1, len(meds))
        ]
        print(fila + "   " + ", ".join(factores))
    mayor = por_tamano[-1][0]
    print(f"armado del tamaño mayor ({_n(mayor['filas'])} filas de asistencia, {_n(mayor['notas'])} notas): "
          f"{mayor['armado_s']:.0f} s")


if __name__ == "__main__":
    main()
