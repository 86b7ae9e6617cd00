"""``amauta db archivar`` / ``db desarchivar``: años pasados fuera de las tablas vivas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from amauta_cli.cli.comun import Formato, OpcionFormato, OpcionSi, confirmar, contexto

app = typer.Typer()  # sus comandos se suman al grupo ``db`` (cli/db.py)

if TYPE_CHECKING:  # pragma: no cover
    from amauta_cli.services.archivo import ResultadoArchivo

OpcionSimular = Annotated[
    bool, typer.Option("--simular", help="Solo cuenta qué se movería; no cambia nada.")
]


def _fecha(texto: str | None, opcion: str):
    if texto is None:
        return None
    from amauta_cli.parsing import parsear_fecha

    return parsear_fecha(texto, opcion)


@app.command("archivar")
def archivar(
    hasta: Annotated[
        str,
        typer.Option(
            "--hasta",
            help="Archiva lo anterior a esta fecha (AAAA-MM-DD o dd/mm/aaaa), p. ej. 2025-03-01.",
            show_default=False,
        ),
    ],
    simular: OpcionSimular = False,
    si: OpcionSi = False,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Mueve al archivo la asistencia, las notas y el progreso cerrado anteriores a --hasta.

    Una transacción por tabla, con las filas contadas antes y después; en PostgreSQL el archivo
    es el esquema "archivo" (invisible para Prisma), en SQLite tablas _amauta_archivo_*.
    """
    from amauta_cli import salida
    from amauta_cli.services import archivo

    ctx = contexto()
    _exigir_esquema(ctx, "`amauta db archivar`")
    d = _fecha(hasta, "--hasta")
    if simular or not si:
        # Con --si no se cuenta dos veces: el movimiento mismo cuenta antes y después.
        plan = archivo.archivar(ctx.url, d, simular=True)
        if simular or plan.filas == 0:
            _emitir(plan, formato)
            if plan.filas == 0:
                salida.info(f"No hay nada anterior al {d:%d/%m/%Y} que archivar.")
            return
        _emitir(plan, formato, solo_plan=True)  # el plan, solo en tabla: antes de preguntar
        confirmar(
            f"Se moverán {plan.filas} filas anteriores al {d:%d/%m/%Y} al archivo de "
            f"{ctx.url_enmascarada}. ¿Continuar?",
            si,
        )
    r = archivo.archivar(ctx.url, d, avisar=salida.info)
    _cerrar(r, formato, ("Asistencia", "Calificacion", "Progreso"))


@app.command("desarchivar")
def desarchivar(
    desde: Annotated[
        Optional[str],
        typer.Option("--desde", help="Trae lo archivado desde esta fecha (incluida).", show_default=False),
    ] = None,
    hasta: Annotated[
        Optional[str],
        typer.Option("--hasta", help="... hasta esta fecha (excluida). Sin fechas: todo el archivo.", show_default=False),
    ] = None,
    simular: OpcionSimular = False,
    si: OpcionSi = False,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Trae de vuelta a las tablas vivas lo archivado en un rango de fechas."""
    from amauta_cli import salida
    from amauta_cli.services import archivo

    ctx = contexto()
    _exigir_esquema(ctx, "`amauta db desarchivar`")
    d, h = _fecha(desde, "--desde"), _fecha(hasta, "--hasta")
    if simular or not si:
        plan = archivo.desarchivar(ctx.url, d, h, simular=True)
        if simular or plan.filas == 0:
            _emitir(plan, formato)
            if plan.filas == 0:
                salida.info("No hay nada archivado en ese rango.")
            return
        _emitir(plan, formato, solo_plan=True)  # el plan, solo en tabla: antes de preguntar
        confirmar(
            f"Se traerán {plan.filas} filas del archivo a las tablas vivas de {ctx.url_enmascarada}. ¿Continuar?",
            si,
        )
    r = archivo.desarchivar(ctx.url, d, h, avisar=salida.info)
    _cerrar(r, formato, ("Asistencia", "Calificacion", "Progreso"))


def _exigir_esquema(ctx, accion: str) -> None:
    """La base al día y credenciales de administración: archivar mueve filas de todas las
    escuelas (como db restore, se rechaza con las de una escuela)."""
    from amauta_cli.cli.comun import exigir_administracion

    with ctx.conexion(solo_lectura=True):
        pass
    exigir_administracion(accion)


def _cerrar(r: "ResultadoArchivo", formato: Formato, tablas: tuple[str, ...]) -> None:
    from amauta_cli import salida
    from amauta_cli.cli.comun import tras_cambio_masivo

    if r.filas:
        tras_cambio_masivo(*tablas)
    _emitir(r, formato)
    if r.filas == 0 and r.fallo is None:
        salida.info("No había nada que mover: no se cambió nada.")
        return
    if r.fallo is not None:
        tabla, mensaje = r.fallo
        salida.error(
            f"Se movieron las tablas de arriba, pero '{tabla}' falló: {mensaje} "
            "Corrija la causa y vuelva a correr el comando: lo ya movido no se repite."
        )
        raise typer.Exit(1)
    verbo = "archivadas" if r.sentido == "archivar" else "desarchivadas"
    salida.exito(f"{r.filas} filas {verbo}; las cuentas de antes y después cierran en cada tabla.")


def _emitir(r: "ResultadoArchivo", formato: Formato, solo_plan: bool = False) -> None:
    from amauta_cli import salida
    from amauta_cli.salida import Columna, Vista

    plan = r.simulado or solo_plan
    verbo = "archivar" if r.sentido == "archivar" else "desarchivar"
    rango = (
        f"anterior al {r.hasta:%d/%m/%Y}"
        if r.sentido == "archivar"
        else (
            (f"desde el {r.desde:%d/%m/%Y} " if r.desde else "")
            + (f"antes del {r.hasta:%d/%m/%Y}" if r.hasta else "")
        ).strip()
        or "todo el archivo"
    )
    columnas = [
        Columna("tabla", "Tabla", "codigo", prioridad=0),
        Columna("filas", "A " + verbo if plan else ("Archivadas" if verbo == "archivar" else "Desarchivadas"), "entero", prioridad=0),
        Columna("vivas_antes", "Vivas antes", "entero"),
        Columna("archivo_antes", "Archivo antes", "entero"),
    ]
    if not plan:
        columnas += [
            Columna("vivas_despues", "Vivas después", "entero"),
            Columna("archivo_despues", "Archivo después", "entero"),
            Columna("segundos", "Duración", "duracion", prioridad=2),
        ]
    salida.emitir(
        Vista(
            titulo=f"{'Simulación: ' if r.simulado and not solo_plan else ''}{verbo} {rango}",
            columnas=columnas,
            filas=list(r.movimientos),
            totales={"tabla": "Total", "filas": r.filas},
            notas=["No se cambió nada (--simular)."] if r.simulado and not solo_plan else [],
            # El plan antes de confirmar es para quien lee: en json o csv, stdout queda solo
            # para el resultado.
            solo_en=salida.PARA_LEER if solo_plan else None,
        ),
        formato,
    )
