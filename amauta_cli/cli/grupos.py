"""``amauta grupos``: clases de una institución, con su educador y sus estudiantes."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amauta_cli.cli.comun import Formato, OpcionFormato, OpcionInstitucion, contexto
from amauta_cli.salida import Columna

app = typer.Typer(
    help=(
        "Grupos (clases): crear, listar, ver, agregar y quitar estudiantes, desactivar y activar. "
        "Un grupo se nombra por su nombre dentro de su institución (--institucion si se repite) o por su id."
    ),
    no_args_is_help=True,
)

ArgumentoGrupo = Annotated[
    str, typer.Argument(help="Nombre del grupo (sin distinguir mayúsculas ni acentos) o su id.", show_default=False)
]


@app.command("crear")
def crear(
    nombre: Annotated[str, typer.Option("--nombre", "-n", help="Nombre del grupo, p. ej. '4to Grado A'.", show_default=False)],
    educador: Annotated[str, typer.Option("--educador", "-e", help="Email del educador (rol EDUCADOR).", show_default=False)],
    grado: Annotated[Optional[str], typer.Option("--grado", help="Grado, p. ej. 4to.")] = None,
    seccion: Annotated[Optional[str], typer.Option("--seccion", help="Sección, p. ej. A.")] = None,
    institucion: Annotated[
        Optional[str],
        typer.Option(
            "--institucion",
            "-i",
            help="Institución (nombre o id); con credenciales de escuela, la suya.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Crea un grupo en una institución activa, a cargo de un educador."""
    from amauta_cli import salida
    from amauta_cli.cli.comun import error_uso
    from amauta_cli.services import grupos

    if institucion is None:
        alcance = contexto().alcance()  # con credenciales de escuela, su institución
        if alcance is None or alcance.institucion_id is None:
            error_uso("Falta la opción '--institucion': la institución del grupo nuevo.")
        institucion = alcance.institucion_id
    with contexto().sesion() as s:
        g = grupos.crear(s, institucion, nombre, educador, grado, seccion)
        texto = f"Grupo creado: {g.nombre} en {g.institucion.nombre}, id {g.id}."
    salida.exito(texto)


@app.command("listar")
def listar(
    institucion: Annotated[Optional[str], typer.Option("--institucion", "-i", help="Solo los de esta institución.")] = None,
    educador: Annotated[Optional[str], typer.Option("--educador", "-e", help="Solo los de este educador (email).")] = None,
    activos: Annotated[bool, typer.Option("--activos", help="Solo grupos activos.")] = False,
    inactivos: Annotated[bool, typer.Option("--inactivos", help="Solo grupos desactivados.")] = False,
    buscar: Annotated[Optional[str], typer.Option("--buscar", "-b", help="Texto en el nombre o el grado, sin acentos.")] = None,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Grupos con su institución, educador y cantidad de estudiantes (orden alfabético)."""
    from amauta_cli import salida
    from amauta_cli.cli.usuarios import filtro_activo
    from amauta_cli.services import grupos

    activo = filtro_activo(activos, inactivos)
    with contexto().sesion(solo_lectura=True) as s:
        filas = grupos.listar(s, institucion, activo, educador, buscar)
    salida.emitir(salida.Vista(COLUMNAS_LISTADO, filas, vacio="No hay grupos que mostrar."), formato)


COLUMNAS_LISTADO = [
    Columna("nombre", "Grupo", "nombre", prioridad=0),
    Columna("institucion", "Institución", "nombre", prioridad=1),
    Columna("grado", "Grado", prioridad=3),
    Columna("seccion", "Sección", prioridad=3),
    Columna("educador", "Educador", "email", prioridad=1),
    Columna("estudiantes", "Estudiantes", "entero", prioridad=1),
    Columna("activo", "Activo", "bool", prioridad=2),
    Columna("id", "Id", "codigo", prioridad=5),
]
COLUMNAS_ESTUDIANTES = [
    Columna("email", "Email", "email", prioridad=0),
    Columna("apellido", "Apellido", "nombre", prioridad=0),
    Columna("nombre", "Nombre", "nombre", prioridad=0),
    Columna("matricula", "Matrícula", "codigo", prioridad=1),
    Columna("activo", "Activo", "bool", prioridad=2),
]


@app.command("ver")
def ver(grupo: ArgumentoGrupo, institucion: OpcionInstitucion = None, formato: OpcionFormato = Formato.tabla) -> None:
    """El grupo, su educador y sus estudiantes (csv: la lista de estudiantes)."""
    from amauta_cli import salida
    from amauta_cli.salida import Campo, Ficha, Objeto, Vista
    from amauta_cli.services import grupos

    with contexto().sesion(solo_lectura=True) as s:
        d = grupos.ver(s, grupo, institucion)
    edu = d["educador"] or {}
    educador = f"{edu.get('nombre', '')} {edu.get('apellido', '')} <{edu.get('email', '')}>" if edu else None
    ficha = Ficha(
        [
            Campo("nombre", "Grupo", d["nombre"], "nombre"),
            Campo("institucion", "Institución", d["institucion"], "nombre"),
            Campo("grado", "Grado", d["grado"]),
            Campo("seccion", "Sección", d["seccion"]),
            Campo("educador", "Educador", educador),
            Campo("activo", "Activo", d["activo"], "bool"),
            Campo("cantidad_estudiantes", "Estudiantes", d["cantidad_estudiantes"], "entero"),
            Campo("id", "Id", d["id"], "codigo"),
        ],
        titulo=d["nombre"],
        solo_en=("tabla",),
    )
    estudiantes = Vista(
        COLUMNAS_ESTUDIANTES, d["estudiantes"], titulo="Estudiantes", vacio="El grupo no tiene estudiantes.",
        solo_en=("tabla", "csv", "excel"),
    )
    if d["estudiantes_inactivos"]:
        salida.info(
            f"Dados de baja que siguen inscriptos (no se listan): {', '.join(d['estudiantes_inactivos'])}."
        )
    salida.emitir([Objeto(d), ficha, estudiantes], formato)


@app.command("agregar-estudiantes")
def agregar_estudiantes(
    grupo: ArgumentoGrupo,
    emails: Annotated[
        Optional[list[str]], typer.Argument(help="Emails de los estudiantes.", show_default=False)
    ] = None,
    archivo: Annotated[
        Optional[str], typer.Option("--archivo", help="CSV con una columna email (más emails).")
    ] = None,
    institucion: OpcionInstitucion = None,
) -> None:
    """Agrega estudiantes activos (rol ESTUDIANTE) al grupo; quien ya estaba, sigue igual."""
    from amauta_cli import salida
    from amauta_cli.services import grupos
    from amauta_cli.textos import plural

    with contexto().sesion() as s:
        r = grupos.agregar_estudiantes(s, grupo, emails or [], archivo, institucion)
        nombre = r.grupo.nombre
    ya = len(r.ya_estaban)
    salida.exito(
        f"Grupo {nombre}: {plural(len(r.agregados), 'estudiante agregado', 'estudiantes agregados')}, "
        f"{ya} ya {'estaba' if ya == 1 else 'estaban'}."
    )


@app.command("quitar-estudiante")
def quitar_estudiante(
    grupo: ArgumentoGrupo,
    email: Annotated[str, typer.Argument(help="Email del estudiante.", show_default=False)],
    institucion: OpcionInstitucion = None,
) -> None:
    """Quita un estudiante del grupo (su asistencia y sus notas se conservan)."""
    from amauta_cli import salida
    from amauta_cli.services import grupos

    with contexto().sesion() as s:
        g, u = grupos.quitar_estudiante(s, grupo, email, institucion)
        texto = f"{u.email} ya no está en el grupo {g.nombre}."
    salida.exito(texto)


@app.command("desactivar")
def desactivar(grupo: ArgumentoGrupo, institucion: OpcionInstitucion = None) -> None:
    """Baja lógica del grupo: deja de admitir cambios (sus datos se conservan)."""
    from amauta_cli import salida
    from amauta_cli.services import grupos

    with contexto().sesion() as s:
        g, cambiado = grupos.desactivar(s, grupo, institucion)
        nombre = g.nombre
    salida.exito(f"Grupo desactivado: {nombre}." if cambiado else f"{nombre} ya estaba inactivo. No se cambió nada.")


@app.command("activar")
def activar(grupo: ArgumentoGrupo, institucion: OpcionInstitucion = None) -> None:
    """Vuelve a activar un grupo desactivado."""
    from amauta_cli import salida
    from amauta_cli.services import grupos

    with contexto().sesion() as s:
        g, cambiado = grupos.activar(s, grupo, institucion)
        nombre = g.nombre
    salida.exito(f"Grupo activado: {nombre}." if cambiado else f"{nombre} ya estaba activo. No se cambió nada.")
