"""Asistencia de un ciclo lectivo de un distrito: importar, reporte, alertas y exportar (PostgreSQL).

Genera 400 grupos × 25 estudiantes × 200 días de clase = 2.000.000 filas (``--escala``
multiplica la cantidad de grupos) y mide cada comando como lo corre un usuario (el proceso
``amauta`` entero, formato por defecto), intercalado con su línea de base en ``psql``, en la
misma corrida (``benchmarks/comun.py``):

- ``asistencia importar ARCHIVO`` frente a ``\\copy`` de las mismas filas ya resueltas a ids
  (en el orden del archivo) a la misma tabla con sus índices, vacía antes de cada corrida.
  Objetivo: importar ≥ 80 % de la velocidad del ``\\copy`` (razón de tiempos ≤ 1,25).
- ``asistencia reporte`` de un grupo para el año y ``asistencia alertas`` del distrito frente a
  su consulta principal sola en ``psql`` (la misma sentencia que envía amauta, capturada).
  Objetivo: ≤ 1,5×.
- ``asistencia exportar`` de todo a /dev/null frente a ``\\copy (SELECT ...) TO STDOUT`` (sin
  objetivo: para ver la distancia).
- Con ``--memoria``: el pico de memoria de importar con el 10 % y con el 100 % del archivo
  (debe ser plano).

Al lado, rotulado «en proceso», el tiempo del servicio dentro de un Python ya caliente.
Borra lo que crea (la base y los archivos) al terminar.

    .venv/bin/python benchmarks/asistencia.py [--escala 0.05] [--pares 5] [--memoria]
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import comun  # noqa: E402
from comun import BasePG, Comando, comparar, imprimir  # noqa: E402

DESDE = date(2024, 3, 1)
HASTA = date(2024, 12, 31)
ESTUDIANTES_POR_GRUPO = 25
DIAS = 200
GRUPOS_POR_ESCUELA = 20
COLS = '(id, "grupoId", "estudianteId", fecha, estado, observaciones, "createdAt", "updatedAt")'

#: El proceso hijo informa su pico de memoria al terminar (RUSAGE_SELF, en KiB).
_ENVOLTORIO = (
    "import resource, sys\n"
    "from amauta_cli.cli.main import app\n"
    "try:\n"
    "    app(prog_name='amauta', args=sys.argv[1:])\n"
    "finally:\n"
    "    sys.stderr.write(f'\\nPICO_RSS_KB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
)


def dias_habiles(desde: date, n: int) -> list[date]:
    """Los ``n`` días de clase desde ``desde`` según el calendario escolar general (sin fines de
    semana, feriados ni días fuera del ciclo lectivo): ``importar`` rechaza los demás."""
    from amauta_cli.services.calendario import calendario

    cal = calendario()
    dias, d = [], desde
    while len(dias) < n:
        if cal.es_de_clase(d):
            dias.append(d)
        d += timedelta(days=1)
    return dias


# --- Datos ---------------------------------------------------------------------------------------------
def crear_estructura(url: str, grupos: int) -> tuple[list[str], list[str], list[list[tuple[str, str]]]]:
    """Escuelas, educadores, grupos y estudiantes (con perfil) por COPY. Devuelve
    (nombres de grupo, ids de grupo, [[(id, email) de cada estudiante] por grupo])."""
    import psycopg

    from amauta_cli.ids import ahora, cuid

    t = ahora()
    escuelas = (grupos + GRUPOS_POR_ESCUELA - 1) // GRUPOS_POR_ESCUELA
    inst = [cuid() for _ in range(escuelas)]
    educadores = [cuid() for _ in range(grupos)]
    nombres = [f"Grupo {i + 1:04d}" for i in range(grupos)]
    ids_grupo = [cuid() for _ in range(grupos)]
    por_grupo = [
        [(cuid(), f"e{gi + 1:04d}.{k + 1:02d}@alumnos.distrito.edu.ar") for k in range(ESTUDIANTES_POR_GRUPO)]
        for gi in range(grupos)
    ]
    with psycopg.connect(comun.dsn(url)) as con, con.cursor() as cur:
        def copiar(tabla: str, cols: str, filas) -> None:
            with cur.copy(f'COPY "{tabla}" ({cols}) FROM STDIN') as cp:
                for f in filas:
                    cp.write_row(f)

        copiar("Institucion", 'id, nombre, tipo, activa, "createdAt", "updatedAt"',
               ((i, f"Escuela Nº {k + 1}", "ESCUELA", True, t, t) for k, i in enumerate(inst)))
        usuarios = 'id, email, nombre, apellido, rol, password, activo, "createdAt", "updatedAt"'
        copiar("Usuario", usuarios,
               ((u, f"docente{k + 1}@distrito.edu.ar", "Docente", f"N{k + 1}", "EDUCADOR", "!", True, t, t)
                for k, u in enumerate(educadores)))
        copiar("Usuario", usuarios,
               ((uid, email, f"Nombre{k + 1}", f"Apellido{gi + 1}", "ESTUDIANTE", "!", True, t, t)
                for gi, lista in enumerate(por_grupo) for k, (uid, email) in enumerate(lista)))
        copiar("Perfil", 'id, "usuarioId", matricula, "createdAt", "updatedAt"',
               ((cuid(), uid, f"M-{gi:04d}{k:02d}", t, t)
                for gi, lista in enumerate(por_grupo) for k, (uid, _) in enumerate(lista)))
        copiar("Grupo", 'id, nombre, "institucionId", "educadorId", activo, "createdAt", "updatedAt"',
               ((g, nombres[i], inst[i // GRUPOS_POR_ESCUELA], educadores[i], True, t, t)
                for i, g in enumerate(ids_grupo)))
        copiar("GrupoEstudiante", '"grupoId", "estudianteId", "inscritoEn"',
               ((g, uid, t) for g, lista in zip(ids_grupo, por_grupo) for uid, _ in lista))
        con.commit()
    return nombres, ids_grupo, por_grupo


def generar_archivos(carpeta: Path, nombres, ids_grupo, por_grupo) -> tuple[Path, Path, Path, int]:
    """El CSV de importar, su 10 % inicial y las mismas filas resueltas a ids (TSV para \\copy).

    Orden: día por día, grupo por grupo (como se toma asistencia). Estados con semilla fija;
    el 4 % de los estudiantes falta mucho (para que haya alertas).
    """
    from amauta_cli.ids import _HUELLA, _b36

    rng = random.Random(2024)
    dias = dias_habiles(DESDE, DIAS)
    propension = {uid: (0.09 if rng.random() < 0.04 else 0.015) for lista in por_grupo for uid, _ in lista}
    csv_ruta, crudo_ruta, parcial_ruta = carpeta / "asistencia.csv", carpeta / "cruda.tsv", carpeta / "parcial.csv"
    prefijo = "c" + _b36(int(time.time() * 1000), 8) + _HUELLA
    creado = "2024-12-20 12:00:00.000"
    total = DIAS * sum(len(x) for x in por_grupo)
    corte = total // 10
    n = 0
    with open(csv_ruta, "w", encoding="utf-8", newline="") as fc, open(crudo_ruta, "w", encoding="utf-8") as fr, \
            open(parcial_ruta, "w", encoding="utf-8") as fp:
        enc = "grupo,email,fecha,estado,observaciones\n"
        fc.write(enc)
        fp.write(enc)
        for d in dias:
            iso = d.isoformat()
            fecha_bd = iso + " 00:00:00"
            lineas, crudas = [], []
            for nombre, gid, lista in zip(nombres, ids_grupo, por_grupo):
                for uid, email in lista:
                    r = rng.random()
                    p = propension[uid]
                    if r < p:
                        estado, obs = "AUSENTE", ""
                    elif r < p * 1.6:
                        estado, obs = "JUSTIFICADO", "certificado médico"
                    elif r < p * 1.6 + 0.03:
                        estado, obs = "TARDANZA", ""
                    else:
                        estado, obs = "PRESENTE", ""
                    lineas.append(f"{nombre},{email},{iso},{estado},{obs}\n")
                    crudas.append(
                        f"{prefijo}{_b36(n, 12)}\t{gid}\t{uid}\t{fecha_bd}\t{estado}\t{obs or chr(92) + 'N'}\t{creado}\t{creado}\n"
                    )
                    n += 1
            fc.writelines(lineas)
            fr.writelines(crudas)
            if n - len(lineas) < corte:
                fp.writelines(lineas[: max(0, corte - (n - len(lineas)))])
    return csv_ruta, parcial_ruta, crudo_ruta, total


def preparar(bd: BasePG, grupos: int, carpeta: Path) -> dict:
    """Estructura (escuelas, grupos, estudiantes) y archivos. Devuelve lo que hace falta para medir."""
    t0 = time.perf_counter()
    nombres, ids, por_grupo = crear_estructura(bd.url, grupos)
    csv_ruta, parcial, crudo, total = generar_archivos(carpeta, nombres, ids, por_grupo)
    return {
        "nombres": nombres, "ids_grupo": ids, "por_grupo": por_grupo, "csv": csv_ruta, "parcial": parcial, "crudo": crudo, "filas": total,
        "generacion_s": time.perf_counter() - t0,
    }


def vaciar_asistencia(bd: BasePG) -> None:
    bd.ejecutar('TRUNCATE "Asistencia"')
    bd.ejecutar("CHECKPOINT")


def copiar_crudo(bd: BasePG, crudo: Path) -> Comando:
    # La ruta la escribe el benchmark (un temporal propio): no viene de un usuario.
    return comun.psql(bd, f"\\copy \"Asistencia\" {COLS} FROM '{crudo}'", antes=lambda: vaciar_asistencia(bd))


def cmd_amauta(bd: BasePG, *args: str, **kw) -> Comando:
    return Comando([*comun.amauta(), "--db-url", bd.url, *args], env={"COLUMNS": "100"}, **kw)


def pico_rss(bd: BasePG, *args: str) -> int:
    """Pico de memoria (MiB) de un ``amauta`` en un proceso aparte."""
    p = subprocess.run(
        [sys.executable, "-c", _ENVOLTORIO, "--db-url", bd.url, *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    if p.returncode != 0:
        raise SystemExit(f"amauta {' '.join(args)} falló:\n{p.stderr[-3000:]}")
    for linea in p.stderr.splitlines():
        if linea.startswith("PICO_RSS_KB="):
            return int(linea.split("=", 1)[1]) // 1024
    return 0


def en_proceso(url: str, fn, veces: int = 5) -> float:
    """Mediana de ``fn(sesion)`` dentro de este proceso (caliente), en segundos."""
    from amauta_cli.db import transaccion

    tiempos = []
    for _ in range(veces + 1):
        t0 = time.perf_counter()
        with transaccion(url, solo_lectura=True) as s:
            fn(s)
        tiempos.append(time.perf_counter() - t0)
    return statistics.median(tiempos[1:])


def _n(x: float) -> str:
    return f"{x:,.0f}".replace(",", ".")


# --- Medidas ---------------------------------------------------------------------------------------------
def medir_importar(bd: BasePG, datos: dict, pares: int) -> comun.Resultado:
    total = datos["filas"]
    r = comparar(
        f"asistencia importar ({_n(total)} filas)",
        cmd_amauta(bd, "asistencia", "importar", "--forzar", str(datos["csv"]), antes=lambda: vaciar_asistencia(bd),
                   espera=f"Importadas {_n(total)} filas"),
        copiar_crudo(bd, datos["crudo"]),
        pares=pares, base="\\copy de las mismas filas resueltas, misma tabla e índices",
        objetivo=1.25,
    )
    s = r.resumen()
    r.extras.append(
        f"filas/s: amauta {_n(total / s['amauta_mediana_s'])}, \\copy {_n(total / s['base_mediana_s'])} "
        f"= {100 / s['razon_mediana']:.0f} % (objetivo ≥ 80 %); CPU del proceso amauta {s['cpu_mediana_s']:.1f} s "
        f"de {s['amauta_mediana_s']:.1f} s"
    )
    return r


def medir_consultas(bd: BasePG, datos: dict, pares: int) -> list[comun.Resultado]:
    from amauta_cli.services import asistencia as svc

    bd.ejecutar('VACUUM ANALYZE "Asistencia"')  # lo que hará autovacuum poco después de la carga
    regla = svc.regla_vigente()
    grupo = datos["nombres"][len(datos["nombres"]) // 2]
    resultados = []

    def rep(s):
        return svc.reporte(s, grupo, DESDE, HASTA, regla)

    def ale(s):
        return svc.alertas(s, regla, DESDE)

    for nombre, fn, args in (
        (f"asistencia reporte (1 grupo, {DIAS} días)", rep,
         ["asistencia", "reporte", "-g", grupo, "--desde", DESDE.isoformat(), "--hasta", HASTA.isoformat()]),
        ("asistencia alertas (distrito)", ale, ["asistencia", "alertas", "--desde", DESDE.isoformat()]),
    ):
        sql = comun.sql_de(bd.url, fn)
        # El piso: un Python mínimo con psycopg que corre la misma consulta (cuánto del tiempo
        # es arranque de Python y cuánto trabajo de amauta).
        r = comparar(nombre, cmd_amauta(bd, *args), comun.psql(bd, sql), pares=pares,
                     base="su consulta principal sola en psql", objetivo=1.5, piso=comun.piso_python(bd, sql))
        r.extras.append(f"en proceso (servicio, Python caliente): {en_proceso(bd.url, fn) * 1000:.0f} ms")
        resultados.append(r)

    def exp(s):
        for _ in svc.exportar(s):
            pass

    sql = comun.sql_de(bd.url, exp).rstrip().rstrip(";")
    r = comparar(
        f"asistencia exportar ({_n(datos['filas'])} filas)",
        cmd_amauta(bd, "asistencia", "exportar"),
        comun.psql(bd, f"\\copy ({sql}) TO STDOUT WITH (FORMAT csv)"),
        pares=pares, base="\\copy de su consulta a CSV (sin objetivo)",
    )
    resultados.append(r)
    return resultados


def main() -> None:
    ap = comun.argumentos(__doc__)
    ap.add_argument("--memoria", action="store_true", help="mide además el pico de memoria de importar (10 % y 100 %)")
    ap.add_argument("--conservar", action="store_true", help="no borra la base al terminar")
    ap.add_argument("--sin-importar", action="store_true",
                    help="no mide importar: carga las filas una vez con \\copy y mide reporte, alertas y exportar")
    args = ap.parse_args()
    grupos = max(1, round(400 * args.escala))
    carpeta = Path(tempfile.mkdtemp(prefix="amauta-bench-asis-"))
    try:
        with BasePG("asis", conservar=args.conservar) as bd:
            datos = preparar(bd, grupos, carpeta)
            comun.encabezado(
                "asistencia (PostgreSQL)", grupos=grupos, filas=_n(datos["filas"]),
                CSV=f"{datos['csv'].stat().st_size / 2**20:.0f} MiB",
                armado=f"{datos['generacion_s']:.0f} s",
            )
            if args.sin_importar:
                copiar_crudo(bd, datos["crudo"]).medir()
                resultados = []
            else:
                resultados = [medir_importar(bd, datos, args.pares)]
            if args.memoria and resultados:
                vaciar_asistencia(bd)
                rss10 = pico_rss(bd, "asistencia", "importar", "--forzar", str(datos["parcial"]))
                vaciar_asistencia(bd)
                rss100 = pico_rss(bd, "asistencia", "importar", "--forzar", str(datos["csv"]))
                resultados[0].extras.append(f"pico de memoria de importar: {rss10} MiB con el 10 %, {rss100} MiB con todo")
            resultados += medir_consultas(bd, datos, args.pares)
            print()
            imprimir(resultados)
    finally:
        shutil.rmtree(carpeta, ignore_errors=True)


if __name__ == "__main__":
    main()
