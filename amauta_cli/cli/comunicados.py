"""``amauta comunicados``: avisos de una institución a su comunidad."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amauta_cli.cli.comun import contexto
from amauta_cli.salida import Formato, OpcionFormato

app = typer.Typer(help="Comunicados de una institución: publicar, listar (URGENTE primero) y ver.", no_args_is_help=True)


@app.command("publicar")
def publicar(
    institucion: Annotated[str, typer.Option("--institucion", "-i", help="Institución (nombre o id).", show_default=False)],
    titulo: Annotated[str, typer.Option("--titulo", "-t", help="Título.", show_default=False)],
    tipo: Annotated[str, typer.Option("--tipo", help="GENERAL, ACADEMICO, ADMINISTRATIVO, EVENTO o URGENTE.", show_default=False)],
    autor: Annotated[str, typer.Option("--autor", "-a", help="Email de quien firma (ADMIN_ESCUELA, SUPER_ADMIN o EDUCADOR).", show_default=False)],
    prioridad: Annotated[str, typer.Option("--prioridad", "-p", help="BAJA, NORMAL, ALTA o URGENTE.")] = "NORMAL",
    archivo: Annotated[Optional[str], typer.Option("--archivo", help="Archivo Markdown con el texto (sin él, la entrada estándar).", metavar="ARCHIVO")] = None,
) -> None:
    """Publica un comunicado; el texto (Markdown) sale de --archivo o de la entrada estándar."""
    import sys
    from pathlib import Path

    from amauta_cli import salida
    from amauta_cli.errores import DatosInvalidos
    from amauta_cli.services import comunicados

    if archivo:
        p = Path(archivo)
        if not p.is_file():
            raise DatosInvalidos(f"--archivo: no existe el archivo '{archivo}'.")
        texto = p.read_text(encoding="utf-8-sig")
    else:
        if sys.stdin.isatty():
            salida.info("Escriba el comunicado (Markdown) y termine con Ctrl-D:")
        texto = sys.stdin.read()
    with contexto().sesion() as s:
        c = comunicados.publicar(s, institucion, autor, titulo, texto, tipo, prioridad)
    salida.exito(f"Comunicado publicado en {c.institucion}: {c.titulo} ({c.tipo}, prioridad {c.prioridad}, id {c.id}).")


@app.command("listar")
def listar(
    institucion: Annotated[Optional[str], typer.Option("--institucion", "-i", help="Solo los de esta institución.")] = None,
    tipo: Annotated[Optional[str], typer.Option("--tipo", help="Solo de este tipo.")] = None,
    prioridad: Annotated[Optional[str], typer.Option("--prioridad", "-p", help="Solo de esta prioridad.")] = None,
    desde: Annotated[Optional[str], typer.Option("--desde", help="Publicados desde esta fecha (2024-03-01 o 01/03/2024).")] = None,
    limite: Annotated[int, typer.Option("--limite", "-n", min=1, max=100000, help="Cuántos como máximo.")] = 100,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Comunicados, los URGENTE primero y luego los más nuevos."""
    from amauta_cli import salida
    from amauta_cli.parsing import parsear_fecha
    from amauta_cli.salida import Columna, Vista
    from amauta_cli.services import comunicados

    fecha = parsear_fecha(desde, "desde") if desde else None
    with contexto().sesion(solo_lectura=True) as s:
        filas = comunicados.listar(s, institucion, tipo, prioridad, fecha, limite)
    columnas = [
        Columna("publicadoEn", "Publicado", "fecha", prioridad=0),
        Columna("prioridad", "Prioridad", "codigo", prioridad=0),
        Columna("tipo", "Tipo", "codigo", prioridad=1),
        Columna("titulo", "Título", "nombre", prioridad=0),
        Columna("institucion", "Institución", "nombre", prioridad=3),
        Columna("autor", "Autor", "email", prioridad=2),
        Columna("id", "Id", "codigo", prioridad=1),
    ]
    salida.emitir(Vista(columnas, filas, titulo="Comunicados", vacio="No hay comunicados que mostrar."), formato)


@app.command("ver")
def ver(id_: Annotated[str, typer.Argument(metavar="ID", help="Id del comunicado.", show_default=False)], formato: OpcionFormato = Formato.tabla) -> None:
    """Un comunicado completo."""
    from amauta_cli import salida
    from amauta_cli.salida import Campo, Ficha
    from amauta_cli.services import comunicados

    with contexto().sesion(solo_lectura=True) as s:
        d = comunicados.ver(s, id_)
    c = d.comunicado
    salida.emitir(
        Ficha(
            [
                Campo("titulo", "Título", c.titulo),
                Campo("institucion", "Institución", c.institucion),
                Campo("autor", "Autor", f"{d.autor_nombre} <{c.autor}>"),
                Campo("tipo", "Tipo", c.tipo, "codigo"),
                Campo("prioridad", "Prioridad", c.prioridad, "codigo"),
                Campo("publicadoEn", "Publicado", c.publicadoEn, "fecha_hora"),
                Campo("contenido", "Contenido", d.contenido.strip()),
                Campo("id", "Id", c.id, "codigo"),
            ],
            titulo=c.titulo,
        ),
        formato,
    )
