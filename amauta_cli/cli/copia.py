"""``amauta db copiar``: toda la base a otra vacía (SQLite → PostgreSQL, PostgreSQL → SQLite)."""

from __future__ import annotations

from typing import Annotated

import typer

from amauta_cli.cli.comun import Formato, OpcionFormato, OpcionSi, confirmar, contexto

app = typer.Typer()  # sus comandos se suman al grupo ``db`` (cli/db.py)


@app.command("copiar")
def copiar(
    destino: Annotated[
        str,
        typer.Option(
            "--destino",
            metavar="URL",
            help=(
                "Base destino, vacía: postgresql://usuario@host/base (la contraseña, en PGPASSWORD "
                "o ~/.pgpass) o sqlite:///ruta/nueva.db."
            ),
            show_default=False,
        ),
    ],
    si: OpcionSi = False,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Copia toda la base a otra vacía (SQLite → PostgreSQL o al revés), en una transacción.

    Orden de dependencias, COPY en PostgreSQL, ids y fechas intactos; compara filas y una suma
    de control de cada tabla en ambos lados antes de confirmar.
    """
    from amauta_cli import salida
    from amauta_cli.cli.comun import exigir_administracion, tras_cambio_masivo
    from amauta_cli.salida import Columna, Vista
    from amauta_cli.services import copia

    ctx = contexto()
    # Una copia es de toda la base: con credenciales de escuela la seguridad por filas dejaría
    # leer solo una parte (y las claves foráneas no cerrarían).
    exigir_administracion("`amauta db copiar`")
    plan = copia.planificar(ctx.objetivo, destino)
    salida.info(f"Origen: {ctx.url_enmascarada}")
    salida.info(
        f"Destino: {plan.destino.url_enmascarada}"
        + (" (vacío: se crea el esquema)" if plan.migrar else f" (migrado a {plan.revision}, sin filas)")
    )
    confirmar(f"Se copiará toda la base a {plan.destino.url_enmascarada}. ¿Continuar?", si)
    r = copia.copiar(plan, progreso=salida.progreso, avisar=salida.info)
    tras_cambio_masivo()
    salida.emitir(
        Vista(
            titulo=f"Copia de {r.motor_origen} a {r.motor_destino} (revisión {r.revision})",
            columnas=[
                Columna("tabla", "Tabla", "codigo", prioridad=0),
                Columna("filas_origen", "Filas origen", "entero", prioridad=0),
                Columna("filas_destino", "Filas destino", "entero", prioridad=0),
                Columna("suma_origen", "Suma origen", "codigo"),
                Columna("suma_destino", "Suma destino", "codigo"),
                Columna("iguales", "Iguales", "bool", prioridad=0),
            ],
            filas=[
                {
                    "tabla": t.tabla,
                    "filas_origen": t.filas_origen,
                    "filas_destino": t.filas_destino,
                    "suma_origen": t.suma_origen,
                    "suma_destino": t.suma_destino,
                    "iguales": t.iguales,
                }
                for t in r.tablas
            ],
            totales={"tabla": "Total", "filas_origen": r.filas, "filas_destino": r.filas},
        ),
        formato,
    )
    salida.exito(
        f"Copia completa en {_duracion(r.segundos)}: {r.filas} filas en {len(r.tablas)} tablas; "
        "filas y sumas de control iguales en ambos lados."
    )


def _duracion(s: float) -> str:
    from amauta_cli import textos

    return textos.duracion(s)
