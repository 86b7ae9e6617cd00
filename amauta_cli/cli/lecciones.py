"""``amauta lecciones``: las lecciones de un curso, su orden, su contenido y sus recursos."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amauta_cli.cli.comun import contexto
from amauta_cli.salida import Formato, OpcionFormato

app = typer.Typer(
    help=(
        "Lecciones de un curso: listar, ver, agregar, editar, mover, publicar, despublicar, quitar "
        "y sus recursos. El orden es siempre 1..N sin huecos. Una lección se nombra por su número "
        "de orden, su título o su id."
    ),
    no_args_is_help=True,
)
recursos_app = typer.Typer(help="Recursos de una lección: agregar, listar y quitar.", no_args_is_help=True)
app.add_typer(recursos_app, name="recursos")

ArgCurso = Annotated[str, typer.Argument(help="Slug, id o título del curso.", show_default=False)]
ArgLeccion = Annotated[str, typer.Argument(help="Número de orden, título o id de la lección.", show_default=False)]
OpcionContenido = Annotated[
    Optional[str],
    typer.Option("--contenido", help="Archivo YAML o JSON con el contenido según el tipo ('-': entrada estándar).", metavar="ARCHIVO"),
]


def _leer_contenido(ruta: str | None):
    import sys

    from amauta_cli.services import contenido

    if ruta is None:
        return None
    return contenido.leer_archivo(ruta, sys.stdin.read() if ruta == "-" else None)


@app.command("listar")
def listar(curso: ArgCurso, formato: OpcionFormato = Formato.tabla) -> None:
    """Las lecciones del curso en orden, con tipo, duración y si están publicadas."""
    from amauta_cli import salida
    from amauta_cli.cli.cursos import columnas_lecciones
    from amauta_cli.salida import Vista
    from amauta_cli.services import lecciones

    with contexto().sesion(solo_lectura=True) as s:
        c, filas = lecciones.listar(s, curso)
        titulo = f"Lecciones de {c.titulo} ({c.slug})"
    salida.emitir(Vista(columnas_lecciones(), filas, titulo=titulo, vacio="El curso no tiene lecciones."), formato)


def _columnas_recursos():
    from amauta_cli.salida import Columna

    return [
        Columna("leccion", "Lección", "entero", prioridad=0),
        Columna("nombre", "Recurso", "nombre", prioridad=0),
        Columna("tipo", "Tipo", "codigo", prioridad=0),
        Columna("tamano", "Tamaño", "tamano", prioridad=1),
        Columna("disponibleOffline", "Sin conexión", "bool", prioridad=1),
        Columna("url", "URL", "codigo", prioridad=2),
        Columna("id", "Id", "codigo", prioridad=5),
    ]


@app.command("ver")
def ver(curso: ArgCurso, leccion: ArgLeccion, formato: OpcionFormato = Formato.tabla) -> None:
    """Una lección con su contenido y sus recursos."""
    import json

    from amauta_cli import salida
    from amauta_cli.salida import Campo, Ficha, Vista
    from amauta_cli.services import lecciones

    with contexto().sesion(solo_lectura=True) as s:
        d = lecciones.ver(s, curso, leccion)
    l = d.leccion
    ficha = Ficha(
        [
            Campo("curso", "Curso", f"{d.curso_titulo} ({d.curso})"),
            Campo("orden", "Nº", l.orden, "entero"),
            Campo("titulo", "Título", l.titulo),
            Campo("descripcion", "Descripción", d.descripcion),
            Campo("tipo", "Tipo", l.tipo, "codigo"),
            Campo("duracion", "Duración (min)", l.duracion, "entero"),
            Campo("publicada", "Publicada", l.publicada, "bool"),
            Campo("contenido", "Contenido", json.dumps(d.contenido, ensure_ascii=False, indent=1)),
            Campo("id", "Id", l.id, "codigo"),
        ],
        titulo=f"Lección {l.orden}: {l.titulo}",
    )
    salida.emitir([ficha, Vista(_columnas_recursos(), d.recursos, titulo="Recursos", vacio="Sin recursos.", clave_json="recursos")], formato)


@app.command("agregar")
def agregar(
    curso: ArgCurso,
    titulo: Annotated[str, typer.Option("--titulo", "-t", help="Título de la lección.", show_default=False)],
    tipo: Annotated[str, typer.Option("--tipo", help="VIDEO, TEXTO, QUIZ, INTERACTIVO o DESCARGABLE.", show_default=False)],
    contenido: Annotated[str, typer.Option("--contenido", help="Archivo YAML o JSON con el contenido ('-': entrada estándar).", metavar="ARCHIVO", show_default=False)],
    descripcion: Annotated[Optional[str], typer.Option("--descripcion", "-d", help="Descripción.")] = None,
    duracion: Annotated[Optional[int], typer.Option("--duracion", help="Minutos.")] = None,
    posicion: Annotated[Optional[int], typer.Option("--posicion", help="Número de orden (por defecto, al final); las siguientes se corren.")] = None,
    publicada: Annotated[bool, typer.Option("--publicada", help="Publicarla ya.")] = False,
) -> None:
    """Agrega una lección (al final o en --posicion) con su contenido validado según el tipo."""
    from amauta_cli import salida, textos
    from amauta_cli.services import lecciones

    datos = _leer_contenido(contenido)
    with contexto().sesion() as s:
        r = lecciones.agregar(s, curso, titulo, tipo, datos, descripcion, duracion, posicion, publicada)
    extra = f", {textos.plural(r.recursos, 'recurso')}" if r.recursos else ""
    corridas = f" {textos.plural(r.renumeradas, 'lección corrida', 'lecciones corridas')} un lugar." if r.renumeradas else ""
    salida.exito(
        f"Lección {r.orden} agregada a {r.curso}: {r.titulo} ({r.tipo}{extra}, "
        f"{'publicada' if r.publicada else 'sin publicar'}).{corridas}"
    )


@app.command("editar")
def editar(
    curso: ArgCurso,
    leccion: ArgLeccion,
    titulo: Annotated[Optional[str], typer.Option("--titulo", "-t", help="Título nuevo.")] = None,
    descripcion: Annotated[Optional[str], typer.Option("--descripcion", "-d", help="Descripción ('' la borra).")] = None,
    duracion: Annotated[Optional[int], typer.Option("--duracion", help="Minutos.")] = None,
    tipo: Annotated[Optional[str], typer.Option("--tipo", help="Tipo nuevo (el contenido debe servirle).")] = None,
    contenido: OpcionContenido = None,
) -> None:
    """Cambia solo lo indicado y lista cada cambio."""
    from amauta_cli.cli.comun import mostrar_cambios
    from amauta_cli.cli.comun import error_uso
    from amauta_cli.services import lecciones

    if all(v is None for v in (titulo, descripcion, duracion, tipo, contenido)):
        error_uso("Nada que cambiar: indique --titulo, --descripcion, --duracion, --tipo o --contenido.")
    datos = _leer_contenido(contenido)
    with contexto().sesion() as s:
        slug, orden, cambios = lecciones.editar(
            s, curso, leccion, titulo=titulo, descripcion=descripcion, duracion=duracion, tipo=tipo, contenido=datos
        )
    mostrar_cambios(f"Lección {orden} de {slug}", cambios)


@app.command("mover")
def mover(
    curso: ArgCurso,
    leccion: ArgLeccion,
    a: Annotated[int, typer.Option("--a", help="Nueva posición (1..N).", show_default=False)],
) -> None:
    """Mueve una lección a otra posición; las demás se corren (sin huecos)."""
    from amauta_cli import salida, textos
    from amauta_cli.services import lecciones

    with contexto().sesion() as s:
        m = lecciones.mover(s, curso, leccion, a)
    if m.desde == m.hasta:
        salida.exito(f"'{m.titulo}' ya estaba en la posición {m.hasta} de {m.curso}. No se cambió nada.")
        return
    salida.exito(f"'{m.titulo}': posición {m.desde} → {m.hasta} en {m.curso} ({textos.plural(m.renumeradas, 'lección renumerada', 'lecciones renumeradas')}).")


def _publicacion(curso: str, leccion: str, publicada: bool) -> None:
    from amauta_cli import salida, textos
    from amauta_cli.services import lecciones

    with contexto().sesion() as s:
        p = lecciones.publicar(s, curso, leccion, publicada)
    estado = "publicada" if p.publicada else "sin publicar"
    if not p.cambiada:
        salida.exito(f"La lección {p.orden} ('{p.titulo}') de {p.curso} ya estaba {estado}. No se cambió nada.")
        return
    extra = f" Progreso recalculado: {textos.plural(p.inscripciones_recalculadas, 'inscripción cambiada', 'inscripciones cambiadas')}." if p.inscripciones_recalculadas else ""
    salida.exito(f"Lección {p.orden} ('{p.titulo}') de {p.curso}: {estado}.{extra}")


@app.command("publicar")
def publicar(curso: ArgCurso, leccion: ArgLeccion) -> None:
    """Publica una lección (una DESCARGABLE necesita al menos un recurso)."""
    _publicacion(curso, leccion, True)


@app.command("despublicar")
def despublicar(curso: ArgCurso, leccion: ArgLeccion) -> None:
    """Despublica una lección (no la única publicada de un curso PUBLICADO)."""
    _publicacion(curso, leccion, False)


@app.command("quitar")
def quitar(curso: ArgCurso, leccion: ArgLeccion, si: Annotated[bool, typer.Option("--si", "-s", help="Confirma sin preguntar.")] = False) -> None:
    """Quita una lección sin progreso de estudiantes (y sus recursos); las siguientes suben."""
    from amauta_cli import salida, textos
    from amauta_cli.cli.comun import confirmar
    from amauta_cli.services import lecciones

    confirmar(f"¿Quitar la lección {leccion} del curso {curso}?", si)
    with contexto().sesion() as s:
        q = lecciones.quitar(s, curso, leccion)
    salida.exito(
        f"Lección {q.orden} ('{q.titulo}') quitada de {q.curso}, con {textos.plural(q.recursos, 'recurso')}; "
        f"{textos.plural(q.renumeradas, 'lección renumerada', 'lecciones renumeradas')}."
    )


@recursos_app.command("agregar")
def recurso_agregar(
    curso: ArgCurso,
    leccion: ArgLeccion,
    nombre: Annotated[str, typer.Option("--nombre", "-n", help="Nombre del recurso.", show_default=False)],
    tipo: Annotated[str, typer.Option("--tipo", help="video, pdf, image (o imagen) o audio.", show_default=False)],
    url: Annotated[str, typer.Option("--url", help="URL http:// o https://.", show_default=False)],
    tamano: Annotated[Optional[int], typer.Option("--tamano", help="Tamaño en bytes.")] = None,
    offline: Annotated[bool, typer.Option("--offline/--sin-offline", help="Disponible sin conexión.")] = False,
) -> None:
    """Agrega un recurso a una lección."""
    from amauta_cli import salida
    from amauta_cli.services import lecciones

    with contexto().sesion() as s:
        r = lecciones.agregar_recurso(s, curso, leccion, nombre, tipo, url, tamano, offline)
    salida.exito(f"Recurso agregado a la lección {r.leccion}: {r.nombre} ({r.tipo}, id {r.id}).")


@recursos_app.command("listar")
def recurso_listar(
    curso: ArgCurso,
    leccion: Annotated[Optional[str], typer.Argument(help="Lección (sin ella, las de todo el curso).", show_default=False)] = None,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Los recursos de una lección o de todo el curso."""
    from amauta_cli import salida
    from amauta_cli.salida import Vista
    from amauta_cli.services import lecciones

    with contexto().sesion(solo_lectura=True) as s:
        c, filas = lecciones.listar_recursos(s, curso, leccion)
        titulo = f"Recursos de {c.titulo} ({c.slug})"
    salida.emitir(Vista(_columnas_recursos(), filas, titulo=titulo, vacio="Sin recursos."), formato)


@recursos_app.command("quitar")
def recurso_quitar(
    curso: ArgCurso,
    leccion: ArgLeccion,
    recurso: Annotated[str, typer.Argument(help="Nombre o id del recurso.", show_default=False)],
) -> None:
    """Quita un recurso de una lección."""
    from amauta_cli import salida
    from amauta_cli.services import lecciones

    with contexto().sesion() as s:
        r = lecciones.quitar_recurso(s, curso, leccion, recurso)
    salida.exito(f"Recurso quitado de la lección {r.leccion}: {r.nombre}.")
