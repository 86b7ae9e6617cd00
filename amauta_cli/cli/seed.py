"""``amauta seed``: carga los datos de desarrollo del diseño (``data/seed.yaml``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from amauta_cli.cli.comun import Formato, OpcionFormato, OpcionSi, confirmar, contexto

_COLUMNAS = [
    ("entidad", "Entidad"),
    ("creadas", "Creadas"),
    ("actualizadas", "Actualizadas"),
    ("sin_cambios", "Sin cambios"),
]


def seed(
    reset: Annotated[
        bool,
        typer.Option(
            "--reset",
            help=(
                "Borra TODAS las tablas y tipos de la base (todos los datos), crea el esquema "
                "desde cero y siembra, en una sola transacción. Pide confirmación."
            ),
        ),
    ] = False,
    archivo: Annotated[
        Optional[Path],
        typer.Option(
            "--archivo",
            "-a",
            metavar="ARCHIVO.yaml",
            help="Otro archivo con la estructura de data/seed.yaml (por defecto, el del paquete).",
            show_default=False,
        ),
    ] = None,
    si: OpcionSi = False,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Carga los datos de desarrollo del diseño (data/seed.yaml). No usar en producción.

    Primero lleva el esquema a la última revisión. Otra corrida no crea filas ni cambia ids. Rechaza una base marcada como producción (`amauta db entorno`) y AMAUTA_ENV=produccion.
    """
    from amauta_cli import render
    from amauta_cli.services import seed as servicio

    inicio = time.perf_counter()
    ctx = contexto()
    # 1. El archivo entero, validado antes de tocar la base.
    datos = servicio.cargar(archivo)
    render.info(f"Base: {ctx.url_enmascarada}")
    # 2. La guardia de producción va dentro de sembrar, antes de preguntar, migrar o borrar.
    pregunta = None
    if reset:

        def pregunta() -> None:
            confirmar(
                f"--reset borra TODAS las tablas, tipos y datos de {ctx.url_enmascarada} y la "
                "deja solo con los datos de desarrollo. ¿Continuar?",
                si,
            )

    resultado = servicio.sembrar(
        ctx.url, datos, reset=reset, avisar=render.info, confirmar=pregunta
    )
    from amauta_cli.cli.comun import tras_cambio_masivo

    tras_cambio_masivo()
    segundos = time.perf_counter() - inicio
    _emitir(resultado, segundos, formato, ctx.url_enmascarada)


def _emitir(r, segundos: float, formato: Formato, url: str) -> None:
    from amauta_cli import render

    filas = [
        {
            "tabla": c.tabla,
            "entidad": c.entidad,
            "creadas": c.creadas,
            "actualizadas": c.actualizadas,
            "sin_cambios": c.sin_cambios,
            "eliminadas": c.eliminadas,
        }
        for c in r.conteos
    ]
    t = r.totales
    fechas = [d.isoformat() for d in r.fechas_asistencia]
    if formato == Formato.json:
        render.emitir_json(
            {
                "base": url,
                "archivo": r.archivo,
                "reset": r.reset,
                "migraciones_aplicadas": r.migraciones,
                "entidades": filas,
                "totales": t,
                "fechas_asistencia": fechas,
                "segundos": round(segundos, 3),
            }
        )
        return
    columnas = (
        [("tabla", "tabla")] + [(k, k) for k, _ in _COLUMNAS[1:]] + [("eliminadas", "eliminadas")]
    )
    if formato == Formato.csv:
        render.emitir_filas(filas, columnas, "csv")
        return
    columnas = list(_COLUMNAS)
    if t["eliminadas"]:
        columnas.append(("eliminadas", "Eliminadas"))
    texto_seg = f"{segundos:.2f}".replace(".", ",")
    render.emitir_filas(
        filas,
        columnas,
        "tabla",
        titulo="amauta seed --reset" if r.reset else "amauta seed",
        pie=(
            f"Total: {t['creadas']} creadas, {t['actualizadas']} actualizadas, "
            f"{t['sin_cambios']} sin cambios"
            + (f", {t['eliminadas']} eliminadas" if t["eliminadas"] else "")
            + f", en {texto_seg} s."
        ),
    )
    if fechas:
        render.info(
            f"Asistencia de los últimos {len(fechas)} días hábiles: del {fechas[0]} al {fechas[-1]}."
        )
    if t["creadas"] == t["actualizadas"] == t["eliminadas"] == 0:
        render.exito("La base ya tenía los datos de desarrollo: no se cambió nada.")
    else:
        render.exito(
            "Datos de desarrollo cargados. Los usuarios ingresan con su email y la contraseña "
            "del archivo de datos."
        )
