"""``amauta inscripciones``: estudiantes inscriptos en cursos."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amauta_cli.cli.comun import OpcionInstitucion, contexto
from amauta_cli.salida import Formato, OpcionFormato

app = typer.Typer(
    help="Inscripciones en cursos: crear (estudiantes o un grupo entero), listar, baja y reactivar.",
    no_args_is_help=True,
)
OpcionCurso = Annotated[str, typer.Option("--curso", "-c", help="Curso (slug, id o título).", show_default=False)]
OpcionEstudiante = Annotated[str, typer.Option("--estudiante", "-e", help="Email del estudiante.", show_default=False)]


@app.command("crear")
def crear(
    curso: OpcionCurso,
    estudiantes: Annotated[Optional[list[str]], typer.Option("--estudiante", "-e", help="Email de un estudiante (repetible).")] = None,
    grupo: Annotated[Optional[str], typer.Option("--grupo", "-g", help="Inscribir a todo el grupo (sus estudiantes activos).")] = None,
    institucion: OpcionInstitucion = None,
) -> None:
    """Inscribe estudiantes (o un grupo entero) en un curso PUBLICADO; quien ya estaba, sigue igual."""
    from amauta_cli import salida, textos
    from amauta_cli.cli.comun import error_uso
    from amauta_cli.services import inscripciones

    if bool(estudiantes) == bool(grupo):
        error_uso("Indique los estudiantes (--estudiante, repetible) o un grupo (--grupo), no ambos.")
    with contexto().sesion() as s:
        r = inscripciones.crear(s, curso, estudiantes or [], grupo, institucion)
    salida.exito(
        f"Curso {r.curso}: {textos.plural(len(r.inscriptos), 'estudiante inscripto', 'estudiantes inscriptos')}, "
        f"{textos.plural(len(r.ya_estaban), 'ya estaba inscripto', 'ya estaban inscriptos')}."
    )
    for e in r.ya_estaban:
        salida.info(f"  ya estaba: {e}")
    for e in r.omitidos:
        salida.aviso(f"no se inscribió a {e}")


@app.command("listar")
def listar(
    curso: Annotated[Optional[str], typer.Option("--curso", "-c", help="Las de este curso.")] = None,
    estudiante: Annotated[Optional[str], typer.Option("--estudiante", "-e", help="Las de este estudiante.")] = None,
    estado: Annotated[Optional[str], typer.Option("--estado", help="ACTIVO, COMPLETADO o ABANDONADO.")] = None,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Las inscripciones de un curso (por estudiante) o de un estudiante (por curso)."""
    from amauta_cli import salida
    from amauta_cli.cli.comun import error_uso
    from amauta_cli.salida import Columna, Vista
    from amauta_cli.services import inscripciones

    if not curso and not estudiante:
        error_uso("Indique --curso o --estudiante.")
    with contexto().sesion(solo_lectura=True) as s:
        titulo, filas = inscripciones.listar(s, curso, estudiante, estado)
    columnas = [
        Columna("nombre", "Estudiante", "nombre", prioridad=0),
        Columna("email", "Email", "email", prioridad=1),
        Columna("titulo", "Curso", "nombre", prioridad=0),
        Columna("curso", "Slug", "codigo", prioridad=3),
        Columna("estado", "Estado", "codigo", prioridad=0),
        Columna("progreso", "Progreso", "porcentaje", prioridad=0, decimales=0),
        Columna("inscritoEn", "Inscripto", "fecha", prioridad=2),
        Columna("completadoEn", "Completado", "fecha", prioridad=2),
    ]
    salida.emitir(Vista(columnas, filas, titulo=titulo, vacio="No hay inscripciones que mostrar."), formato)


def _cambio(r, verbo: str) -> None:
    from amauta_cli import salida

    if not r.cambiado:
        salida.exito(f"La inscripción de {r.email} en {r.curso} ya estaba {r.antes}. No se cambió nada.")
    else:
        salida.exito(f"Inscripción de {r.email} en {r.curso} {verbo}: {r.antes} → {r.despues} ({r.progreso} %).")


@app.command("baja")
def baja(curso: OpcionCurso, estudiante: OpcionEstudiante) -> None:
    """La inscripción pasa a ABANDONADO (su progreso se conserva)."""
    from amauta_cli.services import inscripciones

    with contexto().sesion() as s:
        r = inscripciones.baja(s, curso, estudiante)
    _cambio(r, "dada de baja")


@app.command("reactivar")
def reactivar(curso: OpcionCurso, estudiante: OpcionEstudiante) -> None:
    """Una inscripción ABANDONADO vuelve a ACTIVO (o COMPLETADO, si ya tenía el 100 %)."""
    from amauta_cli.services import inscripciones

    with contexto().sesion() as s:
        r = inscripciones.reactivar(s, curso, estudiante)
    _cambio(r, "reactivada")
