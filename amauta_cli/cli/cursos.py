"""``amauta cursos``: cursos, su ciclo de vida y la búsqueda de texto completo."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amauta_cli.cli.comun import contexto
from amauta_cli.salida import Formato, OpcionFormato

app = typer.Typer(
    help=(
        "Cursos: listar, ver, crear, editar, buscar (texto completo en español) y su ciclo de "
        "vida: enviar-revision, publicar, archivar, reabrir. Un curso se nombra por su slug, "
        "su id o su título."
    ),
    no_args_is_help=True,
)

ArgCurso = Annotated[str, typer.Argument(help="Slug, id o título del curso.", show_default=False)]


def _columnas_listado():
    from amauta_cli.salida import Columna

    return [
        Columna("titulo", "Curso", "nombre", prioridad=0),
        Columna("slug", "Slug", "codigo", prioridad=0),
        Columna("categoria", "Categoría", "nombre", prioridad=2),
        Columna("educador", "Educador", "email", prioridad=3),
        Columna("nivel", "Nivel", "codigo", prioridad=2),
        Columna("estado", "Estado", "codigo", prioridad=0),
        Columna("lecciones", "Lecciones", "entero", prioridad=1),
        Columna("inscriptos", "Inscriptos", "entero", prioridad=1),
        Columna("duracion", "Minutos", "entero", prioridad=4),
        Columna("publicadoEn", "Publicado", "fecha", prioridad=4),
        Columna("id", "Id", "codigo", prioridad=6),
    ]


@app.command("listar")
def listar(
    estado: Annotated[Optional[str], typer.Option("--estado", help="BORRADOR, REVISION, PUBLICADO o ARCHIVADO.")] = None,
    categoria: Annotated[Optional[str], typer.Option("--categoria", "-c", help="Categoría (slug, nombre o id).")] = None,
    educador: Annotated[Optional[str], typer.Option("--educador", "-e", help="Email del educador.")] = None,
    nivel: Annotated[Optional[str], typer.Option("--nivel", help="PRINCIPIANTE, INTERMEDIO o AVANZADO.")] = None,
    pagina: Annotated[int, typer.Option("--pagina", "-p", min=1, help="Número de página.")] = 1,
    por_pagina: Annotated[int, typer.Option("--por-pagina", min=1, max=10000, help="Cursos por página.")] = 50,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Cursos por título, con categoría, educador, nivel, estado, lecciones e inscriptos."""
    from amauta_cli import salida, textos
    from amauta_cli.salida import Vista
    from amauta_cli.services import cursos

    with contexto().sesion(solo_lectura=True) as s:
        p = cursos.listar(s, estado, categoria, educador, nivel, pagina, por_pagina)
    nota = f"Página {p.pagina} de {p.paginas} · {textos.plural(p.total, 'curso')}."
    if p.pagina < p.paginas:
        nota += f" Use --pagina {p.pagina + 1} para ver más."
    salida.emitir(Vista(_columnas_listado(), p.filas, titulo="Cursos", notas=[nota], vacio="No hay cursos que mostrar."), formato)


@app.command("ver")
def ver(curso: ArgCurso, formato: OpcionFormato = Formato.tabla) -> None:
    """El curso, sus lecciones en orden y sus inscripciones por estado."""
    from amauta_cli import salida
    from amauta_cli.salida import Campo, Ficha, Vista
    from amauta_cli.services import cursos

    with contexto().sesion(solo_lectura=True) as s:
        d = cursos.ver(s, curso)
    c = d.curso
    ficha = Ficha(
        [
            Campo("titulo", "Título", c.titulo),
            Campo("slug", "Slug", c.slug, "codigo"),
            Campo("descripcion", "Descripción", d.descripcion),
            Campo("categoria", "Categoría", c.categoria),
            Campo("educador", "Educador", f"{d.educador_nombre} <{c.educador}>"),
            Campo("nivel", "Nivel", c.nivel, "codigo"),
            Campo("estado", "Estado", c.estado, "codigo"),
            Campo("duracion", "Duración (min)", c.duracion, "entero"),
            Campo("idioma", "Idioma", d.idioma, "codigo"),
            Campo("publicadoEn", "Publicado", c.publicadoEn, "fecha_hora"),
            *[Campo(f"inscripciones_{k.lower()}", f"Inscripciones {k}", v, "entero") for k, v in d.inscripciones.items()],
            Campo("id", "Id", c.id, "codigo"),
        ],
        titulo=c.titulo,
    )
    salida.emitir([ficha, Vista(columnas_lecciones(), d.lecciones, titulo="Lecciones", vacio="El curso no tiene lecciones.", clave_json="lecciones")], formato)


def columnas_lecciones():
    from amauta_cli.salida import Columna

    return [
        Columna("orden", "Nº", "entero", prioridad=0),
        Columna("titulo", "Lección", "nombre", prioridad=0),
        Columna("tipo", "Tipo", "codigo", prioridad=0),
        Columna("duracion", "Minutos", "entero", prioridad=1),
        Columna("publicada", "Publicada", "bool", prioridad=0),
        Columna("recursos", "Recursos", "entero", prioridad=2),
        Columna("id", "Id", "codigo", prioridad=5),
    ]


@app.command("crear")
def crear(
    titulo: Annotated[str, typer.Option("--titulo", "-t", help="Título del curso.", show_default=False)],
    descripcion: Annotated[str, typer.Option("--descripcion", "-d", help="Descripción.", show_default=False)],
    educador: Annotated[str, typer.Option("--educador", "-e", help="Email del educador (rol EDUCADOR, activo).", show_default=False)],
    categoria: Annotated[str, typer.Option("--categoria", "-c", help="Categoría (slug, nombre o id).", show_default=False)],
    nivel: Annotated[str, typer.Option("--nivel", help="PRINCIPIANTE, INTERMEDIO o AVANZADO.", show_default=False)],
    duracion: Annotated[Optional[int], typer.Option("--duracion", help="Minutos estimados.")] = None,
    idioma: Annotated[str, typer.Option("--idioma", help="Código de idioma.")] = "es",
    slug: Annotated[Optional[str], typer.Option("--slug", help="Slug propio (por defecto, el título sin acentos).")] = None,
    imagen: Annotated[Optional[str], typer.Option("--imagen", help="URL de la imagen.")] = None,
) -> None:
    """Crea un curso en BORRADOR; el slug sale del título (sin acentos, único)."""
    from amauta_cli import salida
    from amauta_cli.services import cursos

    with contexto().sesion() as s:
        c = cursos.crear(s, titulo, descripcion, educador, categoria, nivel, duracion, idioma, slug, imagen)
    salida.exito(f"Curso creado en {c.estado}: {c.titulo} (slug {c.slug}, id {c.id}).")


@app.command("editar")
def editar(
    curso: ArgCurso,
    titulo: Annotated[Optional[str], typer.Option("--titulo", "-t", help="Título nuevo.")] = None,
    descripcion: Annotated[Optional[str], typer.Option("--descripcion", "-d", help="Descripción nueva.")] = None,
    slug: Annotated[Optional[str], typer.Option("--slug", help="Slug nuevo.")] = None,
    educador: Annotated[Optional[str], typer.Option("--educador", "-e", help="Email del nuevo educador.")] = None,
    categoria: Annotated[Optional[str], typer.Option("--categoria", "-c", help="Categoría nueva.")] = None,
    nivel: Annotated[Optional[str], typer.Option("--nivel", help="Nivel nuevo.")] = None,
    duracion: Annotated[Optional[int], typer.Option("--duracion", help="Minutos estimados.")] = None,
    idioma: Annotated[Optional[str], typer.Option("--idioma", help="Código de idioma.")] = None,
    imagen: Annotated[Optional[str], typer.Option("--imagen", help="URL de la imagen ('' la borra).")] = None,
) -> None:
    """Cambia solo lo indicado (no en cursos ARCHIVADO) y lista cada cambio."""
    from amauta_cli.cli.comun import mostrar_cambios
    from amauta_cli.cli.comun import error_uso
    from amauta_cli.services import cursos

    valores = dict(titulo=titulo, descripcion=descripcion, slug=slug, educador=educador, categoria=categoria,
                   nivel=nivel, duracion=duracion, idioma=idioma, imagen=imagen)
    if all(v is None for v in valores.values()):
        error_uso("Nada que cambiar: indique al menos una opción (--titulo, --descripcion, --nivel...).")
    with contexto().sesion() as s:
        slug_final, cambios = cursos.editar(s, curso, **valores)
    mostrar_cambios(f"Curso {slug_final}", cambios)


def _transicion(curso: str, accion: str) -> None:
    from amauta_cli import salida, textos
    from amauta_cli.services import cursos

    with contexto().sesion() as s:
        t = cursos.cambiar_estado(s, curso, accion)
    extra = f" Publicado el {textos.fecha_hora(t.publicadoEn)}." if accion == "publicar" and t.publicadoEn else ""
    salida.exito(f"Curso {t.slug}: {t.antes} → {t.despues}.{extra}")


@app.command("enviar-revision")
def enviar_revision(curso: ArgCurso) -> None:
    """BORRADOR → REVISION (el curso necesita al menos una lección)."""
    _transicion(curso, "enviar-revision")


@app.command("publicar")
def publicar(curso: ArgCurso) -> None:
    """REVISION → PUBLICADO: pone publicadoEn; exige al menos una lección publicada."""
    _transicion(curso, "publicar")


@app.command("archivar")
def archivar(curso: ArgCurso) -> None:
    """→ ARCHIVADO: deja de admitir cambios e inscripciones (sus datos se conservan)."""
    _transicion(curso, "archivar")


@app.command("reabrir")
def reabrir(curso: ArgCurso) -> None:
    """REVISION o ARCHIVADO → BORRADOR, para volver a editarlo (borra publicadoEn)."""
    _transicion(curso, "reabrir")


@app.command("buscar")
def buscar(
    texto: Annotated[str, typer.Argument(help="Palabras a buscar (sin importar acentos ni mayúsculas).", show_default=False)],
    todos: Annotated[bool, typer.Option("--todos", help="Todos los estados, no solo PUBLICADO (administradores).")] = False,
    limite: Annotated[int, typer.Option("--limite", "-n", min=1, max=1000, help="Resultados por página.")] = 20,
    pagina: Annotated[int, typer.Option("--pagina", "-p", min=1, help="Número de página.")] = 1,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Búsqueda de texto completo en español en título, descripción y lecciones, la más
    relevante primero: 'geometria' encuentra "Geometría Plana", 'triangulos' el curso cuya
    lección dice "Triángulos"."""
    from amauta_cli import salida, textos
    from amauta_cli.salida import Columna, Vista
    from amauta_cli.services import cursos

    with contexto().sesion(solo_lectura=True) as s:
        r = cursos.buscar(s, texto, todos, limite, pagina)
    columnas = [
        Columna("titulo", "Curso", "nombre", prioridad=0),
        Columna("categoria", "Categoría", "nombre", prioridad=2),
        Columna("nivel", "Nivel", "codigo", prioridad=3),
        Columna("estado", "Estado", "codigo", prioridad=1),
        Columna("fragmento", "Coincidencia", "texto", prioridad=0),
        Columna("slug", "Slug", "codigo", prioridad=1),
        Columna("rango", "Relevancia", "decimal", prioridad=6, decimales=3),
        Columna("id", "Id", "codigo", prioridad=7),
    ]
    alcance = " publicado" if r.solo_publicados else ""
    notas = [f"{textos.plural(r.total, 'curso' + alcance)} con «{r.texto}»."]
    if r.solo_publicados:
        notas.append("Solo cursos PUBLICADO; --todos incluye borradores, revisión y archivados.")
    salida.emitir(
        Vista(columnas, r.resultados, titulo=f"Búsqueda: {r.texto}", notas=notas,
              vacio=f"Ningún curso{alcance} coincide con «{r.texto}»."),
        formato,
    )


@app.command("reindexar")
def reindexar() -> None:
    """Recalcula el índice de búsqueda de todos los cursos (lo mantienen al día los
    disparadores de la base; sirve si `amauta db verificar` dice que falta alguno)."""
    from amauta_cli import salida, textos
    from amauta_cli.services import cursos

    with contexto().sesion() as s:
        n = cursos.reindexar(s)
    salida.exito(f"Índice de búsqueda recalculado: {textos.plural(n, 'curso')}.")
