"""``amauta categorias``: las categorías de los cursos."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amauta_cli.cli.comun import contexto, mostrar_cambios
from amauta_cli.salida import Formato, OpcionFormato

app = typer.Typer(
    help="Categorías de cursos: listar (con cuántos cursos tiene cada una), ver, crear y editar.",
    no_args_is_help=True,
)

ArgCategoria = Annotated[str, typer.Argument(help="Slug, nombre (sin importar acentos) o id.", show_default=False)]


def _columnas():
    from amauta_cli.salida import Columna

    return [
        Columna("nombre", "Categoría", "nombre", prioridad=0),
        Columna("slug", "Slug", "codigo", prioridad=0),
        Columna("cursos", "Cursos", "entero", prioridad=0),
        Columna("publicados", "Publicados", "entero"),
        Columna("icono", "Ícono", "codigo", prioridad=3),
        Columna("descripcion", "Descripción", "texto", prioridad=4),
        Columna("id", "Id", "codigo", prioridad=5),
    ]


@app.command("listar")
def listar(formato: OpcionFormato = Formato.tabla) -> None:
    """Todas las categorías, en orden alfabético, con cuántos cursos tiene cada una."""
    from amauta_cli import salida
    from amauta_cli.salida import Vista
    from amauta_cli.services import categorias

    with contexto().sesion(solo_lectura=True) as s:
        filas = categorias.listar(s)
    salida.emitir(
        Vista(_columnas(), filas, titulo="Categorías", vacio="No hay categorías. Cree una con `amauta categorias crear`."),
        formato,
    )


@app.command("ver")
def ver(categoria: ArgCategoria, formato: OpcionFormato = Formato.tabla) -> None:
    """Los datos de una categoría."""
    from amauta_cli import salida
    from amauta_cli.salida import Campo, Ficha
    from amauta_cli.services import categorias

    with contexto().sesion(solo_lectura=True) as s:
        d = categorias.ver(s, categoria)
    c = d.categoria
    salida.emitir(
        Ficha(
            [
                Campo("nombre", "Nombre", c.nombre),
                Campo("slug", "Slug", c.slug, "codigo"),
                Campo("descripcion", "Descripción", c.descripcion),
                Campo("icono", "Ícono", c.icono, "codigo"),
                Campo("cursos", "Cursos", c.cursos, "entero"),
                Campo("publicados", "Publicados", c.publicados, "entero"),
                Campo("createdAt", "Creada", d.createdAt, "fecha_hora"),
                Campo("id", "Id", c.id, "codigo"),
            ],
            titulo=c.nombre,
        ),
        formato,
    )


OpcionDescripcion = Annotated[Optional[str], typer.Option("--descripcion", "-d", help="Descripción ('' la borra).")]
OpcionIcono = Annotated[Optional[str], typer.Option("--icono", help="Nombre del ícono, p. ej. calculator ('' lo borra).")]
OpcionSlug = Annotated[Optional[str], typer.Option("--slug", help="Slug propio (por defecto, el nombre sin acentos).")]


@app.command("crear")
def crear(
    nombre: Annotated[str, typer.Option("--nombre", "-n", help="Nombre, p. ej. 'Matemáticas'.", show_default=False)],
    descripcion: OpcionDescripcion = None,
    icono: OpcionIcono = None,
    slug: OpcionSlug = None,
) -> None:
    """Crea una categoría; el slug sale del nombre (sin acentos, único)."""
    from amauta_cli import salida
    from amauta_cli.services import categorias

    with contexto().sesion() as s:
        c = categorias.crear(s, nombre, descripcion, icono, slug)
    salida.exito(f"Categoría creada: {c.nombre} (slug {c.slug}, id {c.id}).")


@app.command("editar")
def editar(
    categoria: ArgCategoria,
    nombre: Annotated[Optional[str], typer.Option("--nombre", "-n", help="Nombre nuevo.")] = None,
    slug: OpcionSlug = None,
    descripcion: OpcionDescripcion = None,
    icono: OpcionIcono = None,
) -> None:
    """Cambia solo lo indicado y lista cada cambio."""
    from amauta_cli.cli.comun import error_uso
    from amauta_cli.services import categorias

    if all(v is None for v in (nombre, slug, descripcion, icono)):
        error_uso("Nada que cambiar: indique --nombre, --slug, --descripcion o --icono.")
    with contexto().sesion() as s:
        nombre_final, cambios = categorias.editar(s, categoria, nombre, slug, descripcion, icono)
    mostrar_cambios(f"Categoría {nombre_final}", cambios)
