"""``amauta db backup`` y ``amauta db restore --limpiar`` frente a ``pg_dump -Fc`` y
``pg_restore`` a secas, sobre la misma base, procesos enteros intercalados en la misma corrida
(``benchmarks/comun.py``).

Crea una base PostgreSQL de al menos ``--filas`` filas (COPY, ``datos_grandes.py``;
``--escala`` la achica) y compara, par por par (la razón es la mediana de las razones de cada
par: en una máquina compartida la carga cambia de un minuto a otro y el par la comparte):

- ``amauta db backup --salida CARPETA/`` frente a ``pg_dump -Fc --no-owner --no-privileges -f
  ARCHIVO`` (amauta además cuenta las filas en la misma instantánea, calcula el SHA-256 mientras
  escribe y deja el manifiesto). Objetivo: ≤ 1,10×.
- ``amauta db restore ARCHIVO --limpiar --si --sin-respaldo`` frente a ``pg_restore --clean
  --if-exists --single-transaction --no-owner --no-privileges -d BASE ARCHIVO`` (los dos
  reemplazan el contenido de la base poblada en una transacción; amauta además comprueba el
  SHA-256, en la misma lectura con la que le pasa el archivo a pg_restore, y compara las filas
  con el manifiesto). Objetivo: ≤ 1,10×.
- ``amauta db restore ARCHIVO --limpiar --si`` (con el respaldo de seguridad automático)
  frente a ``pg_dump`` + ``pg_restore`` seguidos: lo que haría a mano un operador prudente.

    .venv/bin/python benchmarks/backup.py [--filas 1000000] [--escala 1] [--pares 5]

Borra la base y los archivos al terminar.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import comun  # noqa: E402
from comun import BasePG, Comando, comparar, imprimir  # noqa: E402
from datos_grandes import generar  # noqa: E402


def main() -> None:
    ap = comun.argumentos(__doc__)
    ap.add_argument("--filas", type=int, default=1_000_000)
    args = ap.parse_args()
    filas = max(10_000, round(args.filas * args.escala))
    tmp = Path(tempfile.mkdtemp(prefix="amauta-bench-respaldo-"))
    try:
        with BasePG("respaldo") as bd:
            t0 = time.perf_counter()
            conteos = generar(bd.url, filas)
            comun.encabezado(
                "respaldos (PostgreSQL)", filas=f"{sum(conteos.values()):,}".replace(",", "."),
                armado=f"{time.perf_counter() - t0:.0f} s",
            )
            from amauta_cli.services.respaldo import entorno_pg, herramienta

            # Las herramientas de la versión del servidor (las que usa amauta) y la contraseña
            # por el entorno, nunca en argv.
            mayor = int(bd.ejecutar("SHOW server_version_num")[0][0]) // 10000
            bin_dump, bin_restore = (herramienta(h, mayor).ruta for h in ("pg_dump", "pg_restore"))
            env_pg = entorno_pg(bd.url)
            env = {"XDG_DATA_HOME": str(tmp / "xdg"), "AMAUTA_ENV": "desarrollo"}
            amauta = [*comun.amauta(), "--db-url", bd.url]
            crudo = tmp / "crudo.dump"
            carpeta = tmp / "amauta"
            carpeta.mkdir()

            def vaciar_carpeta() -> None:
                for p in carpeta.iterdir():
                    p.unlink()

            def archivo_amauta() -> Path:
                return next(p for p in carpeta.iterdir() if p.suffix == ".dump")

            pg_dump = Comando([bin_dump, "-Fc", "--no-owner", "--no-privileges", "-f", str(crudo), "-d", bd.nombre],
                              env=env_pg, antes=lambda: crudo.unlink(missing_ok=True))
            pg_restore_argv = [bin_restore, "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
                               "--no-owner", "--no-privileges", "-d", bd.nombre, str(crudo)]
            resultados = [comparar(
                "db backup", Comando([*amauta, "db", "backup", "--salida", f"{carpeta}/"], env=env,
                                     antes=vaciar_carpeta),
                pg_dump, pares=args.pares, base="pg_dump -Fc de la misma base", objetivo=1.10,
            )]
            resultados[0].extras.append(
                f"tamaño: amauta {archivo_amauta().stat().st_size / 2**20:.1f} MiB, "
                f"pg_dump {crudo.stat().st_size / 2**20:.1f} MiB"
            )

            def restaurar(*opciones: str, **kw) -> Comando:
                # El archivo de amauta se conoce recién después del backup: se arma al correr.
                cmd = Comando([], env=env, **kw)
                medir = cmd.medir

                def con_archivo():
                    cmd.argv = [*amauta, "db", "restore", str(archivo_amauta()), *opciones]
                    return medir()

                cmd.medir = con_archivo  # type: ignore[method-assign]
                return cmd

            resultados.append(comparar(
                "db restore --limpiar --sin-respaldo",
                restaurar("--limpiar", "--si", "--sin-respaldo"),
                Comando(pg_restore_argv, env=env_pg), pares=args.pares,
                base="pg_restore --clean --single-transaction", objetivo=1.10,
            ))

            def borrar_respaldos() -> None:
                shutil.rmtree(tmp / "xdg" / "amauta" / "respaldos", ignore_errors=True)

            seguro = restaurar("--limpiar", "--si", antes=borrar_respaldos)
            manual = Comando(
                ["sh", "-c", '"$1" -Fc --no-owner --no-privileges -f "$3" -d "$5" && '
                 '"$2" --clean --if-exists --single-transaction --exit-on-error --no-owner '
                 '--no-privileges -d "$5" "$4"', "sh", bin_dump, bin_restore, str(tmp / "seguridad.dump"),
                 str(crudo), bd.nombre],
                env=env_pg,
            )
            resultados.append(comparar(
                "db restore --limpiar (con respaldo de seguridad)", seguro, manual, pares=args.pares,
                base="pg_dump + pg_restore seguidos, en sh",
            ))
            print()
            imprimir(resultados)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
