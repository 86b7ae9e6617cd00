"""``amauta progreso``: avance de los estudiantes en sus cursos."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amauta_cli.cli.comun import contexto
from amauta_cli.salida import Formato, OpcionFormato

app = typer.Typer(
    help=(
        "Progreso de los estudiantes: registrar (avance, lección completada, intento de quiz), "
        "reporte por curso o por estudiante, y recalcular las inscripciones."
    ),
    no_args_is_help=True,
)


@app.command("registrar")
def registrar(
    estudiante: Annotated[str, typer.Option("--estudiante", "-e", help="Email del estudiante.", show_default=False)],
    leccion: Annotated[str, typer.Option("--leccion", "-l", help="CURSO/N (p. ej. algebra-basica/4), id, o N con --curso.", show_default=False)],
    curso: Annotated[Optional[str], typer.Option("--curso", "-c", help="Curso de la lección (si --leccion es un número o título).")] = None,
    completado: Annotated[bool, typer.Option("--completado", help="La lección quedó completada.")] = False,
    porcentaje: Annotated[Optional[int], typer.Option("--porcentaje", help="Avance en la lección, de 0 a 100.")] = None,
    puntaje: Annotated[Optional[str], typer.Option("--puntaje", help="Puntaje de un intento de quiz, de 0 a 100 (coma o punto decimal).")] = None,
) -> None:
    """Registra el avance de un estudiante en una lección y actualiza su inscripción."""
    from amauta_cli import salida, textos
    from amauta_cli.services import progreso

    with contexto().sesion() as s:
        r = progreso.registrar(s, estudiante, leccion, curso, completado, porcentaje, puntaje)
    partes = ["completada" if r.completado else f"{r.porcentaje} %"]
    if r.mejorPuntaje is not None:
        partes.append(f"{textos.plural(r.intentos, 'intento')}, mejor puntaje {textos.numero(r.mejorPuntaje)}")
    salida.exito(
        f"{r.estudiante}, lección {r.leccion} de {r.curso} ('{r.leccion_titulo}'): {', '.join(partes)}. "
        f"Curso: {r.inscripcion_progreso} % ({r.inscripcion_estado})."
    )


@app.command("reporte")
def reporte(
    curso: Annotated[Optional[str], typer.Option("--curso", "-c", help="Por estudiante, en este curso.")] = None,
    estudiante: Annotated[Optional[str], typer.Option("--estudiante", "-e", help="Por curso, de este estudiante.")] = None,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Lecciones completadas de las publicadas, porcentaje, mejor puntaje y último acceso."""
    from amauta_cli import salida, textos
    from amauta_cli.cli.comun import error_uso
    from amauta_cli.salida import Columna, Vista
    from amauta_cli.services import progreso

    if bool(curso) == bool(estudiante):
        error_uso("Indique --curso o --estudiante (uno de los dos).")
    with contexto().sesion(solo_lectura=True) as s:
        r = progreso.reporte_curso(s, curso) if curso else progreso.reporte_estudiante(s, estudiante)
    quien = (
        [Columna("nombre", "Estudiante", "nombre", prioridad=0), Columna("email", "Email", "email", prioridad=2)]
        if curso
        else [Columna("titulo", "Curso", "nombre", prioridad=0), Columna("curso", "Slug", "codigo", prioridad=2)]
    )
    columnas = quien + [
        Columna("estado", "Estado", "codigo", prioridad=1),
        Columna("completadas", "Completadas", "entero", prioridad=0),
        Columna("publicadas", "Publicadas", "entero", prioridad=0),
        Columna("progreso", "Progreso", "porcentaje", prioridad=0, decimales=0),
        Columna("mejor_puntaje", "Mejor quiz", "decimal", prioridad=1),
        Columna("ultimo_acceso", "Último acceso", "fecha", prioridad=2),
        Columna("completadoEn", "Completado", "fecha", prioridad=3),
    ]
    notas = []
    if r.desactualizadas:
        notas.append(
            f"{textos.plural(r.desactualizadas, 'inscripción', 'inscripciones')} con un progreso guardado que no "
            "coincide con sus lecciones: ejecute `amauta progreso recalcular`."
        )
    salida.emitir(Vista(columnas, r.filas, titulo=r.titulo, notas=notas, vacio="No hay inscripciones."), formato)


@app.command("recalcular")
def recalcular(
    curso: Annotated[Optional[str], typer.Option("--curso", "-c", help="Solo las inscripciones de este curso.")] = None,
) -> None:
    """Repara el progreso, el estado y completadoEn de las inscripciones (una sola sentencia)."""
    from amauta_cli import salida, textos
    from amauta_cli.services import progreso

    with contexto().sesion() as s:
        r = progreso.recalcular(s, curso)
    donde = f" de {r.curso}" if r.curso else ""
    salida.exito(
        f"Inscripciones{donde} revisadas: {textos.entero(r.revisadas)}; "
        f"{textos.plural(r.cambiadas, 'cambiada')}."
    )
