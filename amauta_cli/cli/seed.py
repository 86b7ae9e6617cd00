"""``amauta seed``: carga los datos de desarrollo del diseño (``data/seed.yaml``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from amauta_cli.cli.comun import Formato, OpcionFormato, OpcionSi, confirmar, contexto

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
    from amauta_cli.cli.comun import exigir_administracion

    exigir_administracion("`amauta seed`")
    from amauta_cli import salida
    from amauta_cli.services import seed as servicio

    inicio = time.perf_counter()
    ctx = contexto()
    # 1. El archivo entero, validado antes de tocar la base.
    datos = servicio.cargar(archivo)
    salida.info(f"Base: {ctx.url_enmascarada}")
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
        ctx.objetivo, datos, reset=reset, avisar=salida.info, confirmar=pregunta
    )
    from amauta_cli.cli.comun import tras_cambio_masivo

    tras_cambio_masivo()
    segundos = time.perf_counter() - inicio
    _emitir(resultado, segundos, formato, ctx.url_enmascarada)


def _emitir(r, segundos: float, formato: Formato, url: str) -> None:
    from amauta_cli import salida, textos
    from amauta_cli.salida import Columna, Objeto, Vista

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
    conteos = [
        Columna("creadas", "Creadas", "entero"),
        Columna("actualizadas", "Actualizadas", "entero"),
        Columna("sin_cambios", "Sin cambios", "entero"),
    ]
    eliminadas = Columna("eliminadas", "Eliminadas", "entero")
    datos = {
        "base": url,
        "archivo": r.archivo,
        "reset": r.reset,
        "migraciones_aplicadas": r.migraciones,
        "entidades": filas,
        "totales": t,
        "fechas_asistencia": r.fechas_asistencia,
        "segundos": round(segundos, 3),
    }
    pie = (
        f"Total: {textos.plural(t['creadas'], 'creada')}, {textos.plural(t['actualizadas'], 'actualizada')}, "
        f"{t['sin_cambios']} sin cambios"
        + (f", {textos.plural(t['eliminadas'], 'eliminada')}" if t["eliminadas"] else "")
        + f", en {textos.duracion(segundos)}."
    )
    salida.emitir(
        [
            Objeto(datos),
            Vista([Columna("tabla", "Tabla", "codigo"), *conteos, eliminadas], filas, solo_en=salida.PLANILLAS),
            Vista(
                [Columna("entidad", "Entidad", prioridad=0), *conteos, *([eliminadas] if t["eliminadas"] else [])],
                filas,
                titulo="amauta seed --reset" if r.reset else "amauta seed",
                notas=[pie],
                solo_en=salida.PARA_LEER,
            ),
        ],
        formato,
    )
    fechas = r.fechas_asistencia
    if fechas:
        salida.info(
            f"Asistencia de los últimos {textos.plural(len(fechas), 'día hábil', 'días hábiles')}: "
            f"del {textos.fecha(fechas[0])} al {textos.fecha(fechas[-1])}."
        )
    if t["creadas"] == t["actualizadas"] == t["eliminadas"] == 0:
        salida.exito("La base ya tenía los datos de desarrollo: no se cambió nada.")
    else:
        salida.exito(
            "Datos de desarrollo cargados. Los usuarios ingresan con su email y la contraseña "
            "del archivo de datos."
        )
