"""``amauta instituciones``: escuelas, colegios, universidades y centros de formación."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amauta_cli.cli.comun import Formato, OpcionFormato, contexto, error_uso
from amauta_cli.salida import Columna

app = typer.Typer(
    help="Instituciones: crear, listar (con conteos), ver (con sus grupos), editar, desactivar y activar.",
    no_args_is_help=True,
)

ArgumentoInstitucion = Annotated[
    str, typer.Argument(help="Nombre de la institución (sin distinguir mayúsculas ni acentos) o su id.", show_default=False)
]
AYUDA_TIPO = "ESCUELA, COLEGIO, UNIVERSIDAD o CENTRO_FORMACION (sin distinguir mayúsculas)."


@app.command("crear")
def crear(
    nombre: Annotated[str, typer.Option("--nombre", "-n", help="Nombre (no se repite).", show_default=False)],
    tipo: Annotated[str, typer.Option("--tipo", "-t", help=AYUDA_TIPO, show_default=False)],
    direccion: Annotated[Optional[str], typer.Option("--direccion", help="Dirección.")] = None,
    telefono: Annotated[Optional[str], typer.Option("--telefono", help="Teléfono.")] = None,
    email: Annotated[Optional[str], typer.Option("--email", help="Email de contacto.")] = None,
) -> None:
    """Crea una institución."""
    from amauta_cli import salida
    from amauta_cli.services import instituciones

    with contexto().sesion() as s:
        inst = instituciones.crear(s, nombre, tipo, direccion, telefono, email)
    salida.exito(f"Institución creada: {inst.nombre} ({inst.tipo.value}), id {inst.id}.")


@app.command("listar")
def listar(
    activas: Annotated[bool, typer.Option("--activas", help="Solo las activas.")] = False,
    inactivas: Annotated[bool, typer.Option("--inactivas", help="Solo las desactivadas.")] = False,
    tipo: Annotated[Optional[str], typer.Option("--tipo", "-t", help="Solo este tipo.")] = None,
    buscar: Annotated[
        Optional[str], typer.Option("--buscar", "-b", help="Texto en el nombre o el email, sin acentos.")
    ] = None,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Instituciones con la cantidad de grupos activos, estudiantes y educadores (orden alfabético)."""
    from amauta_cli import salida
    from amauta_cli.services import instituciones

    if activas and inactivas:
        error_uso("Use --activas o --inactivas, no ambas.")
    activa = True if activas else (False if inactivas else None)
    with contexto().sesion(solo_lectura=True) as s:
        filas = instituciones.listar(s, activa, tipo, buscar)
    salida.emitir(salida.Vista(COLUMNAS_LISTADO, filas, vacio="No hay instituciones que mostrar."), formato)


COLUMNAS_LISTADO = [
    Columna("nombre", "Nombre", "nombre", prioridad=0),
    Columna("tipo", "Tipo", "codigo", prioridad=2),
    Columna("activa", "Activa", "bool", prioridad=2),
    Columna("grupos", "Grupos activos", "entero", prioridad=1),
    Columna("estudiantes", "Estudiantes", "entero", prioridad=1),
    Columna("educadores", "Educadores", "entero", prioridad=1),
    Columna("email", "Email", "email", prioridad=3),
    Columna("telefono", "Teléfono", "codigo", prioridad=4),
    Columna("id", "Id", "codigo", prioridad=5),
]
COLUMNAS_GRUPOS = [
    Columna("nombre", "Grupo", "nombre", prioridad=0),
    Columna("grado", "Grado", prioridad=2),
    Columna("seccion", "Sección", prioridad=2),
    Columna("educador", "Educador", "email", prioridad=1),
    Columna("estudiantes", "Estudiantes", "entero", prioridad=1),
    Columna("activo", "Activo", "bool", prioridad=2),
    Columna("id", "Id", "codigo", prioridad=5),
]


@app.command("ver")
def ver(institucion: ArgumentoInstitucion, formato: OpcionFormato = Formato.tabla) -> None:
    """La institución, sus conteos y sus grupos (csv: la lista de grupos)."""
    from amauta_cli import salida
    from amauta_cli.salida import Campo, Ficha, Objeto, Vista
    from amauta_cli.services import instituciones

    with contexto().sesion(solo_lectura=True) as s:
        d = instituciones.ver(s, institucion)
    ficha = Ficha(
        [
            Campo("nombre", "Nombre", d["nombre"], "nombre"),
            Campo("tipo", "Tipo", d["tipo"]),
            Campo("activa", "Activa", d["activa"], "bool"),
            Campo("direccion", "Dirección", d["direccion"]),
            Campo("telefono", "Teléfono", d["telefono"], "codigo"),
            Campo("email", "Email", d["email"], "email"),
            Campo("grupos_activos", "Grupos activos", d["grupos_activos"], "entero"),
            Campo("grupos_inactivos", "Grupos inactivos", d["grupos_inactivos"], "entero"),
            Campo("estudiantes", "Estudiantes (en grupos activos)", d["estudiantes"], "entero"),
            Campo("educadores", "Educadores (de grupos activos)", d["educadores"], "entero"),
            Campo("id", "Id", d["id"], "codigo"),
            Campo("createdAt", "Creada", d["createdAt"], "fecha_hora"),
        ],
        titulo=d["nombre"],
        solo_en=("tabla",),
    )
    grupos = Vista(
        COLUMNAS_GRUPOS, d["grupos"], titulo="Grupos", vacio="No tiene grupos.",
        solo_en=("tabla", "csv", "excel"),
    )
    salida.emitir([Objeto(d), ficha, grupos], formato)


@app.command("editar")
def editar(
    institucion: ArgumentoInstitucion,
    nombre: Annotated[Optional[str], typer.Option("--nombre", "-n", help="Nombre nuevo.")] = None,
    tipo: Annotated[Optional[str], typer.Option("--tipo", "-t", help=AYUDA_TIPO)] = None,
    direccion: Annotated[Optional[str], typer.Option("--direccion", help="Dirección ('' la borra).")] = None,
    telefono: Annotated[Optional[str], typer.Option("--telefono", help="Teléfono ('' lo borra).")] = None,
    email: Annotated[Optional[str], typer.Option("--email", help="Email de contacto ('' lo borra).")] = None,
) -> None:
    """Modifica los datos de una institución."""
    from amauta_cli.cli.comun import mostrar_cambios
    from amauta_cli.errores import DatosInvalidos
    from amauta_cli.services import instituciones

    if all(v is None for v in (nombre, tipo, direccion, telefono, email)):
        raise DatosInvalidos(
            "Nada que cambiar: indique al menos una opción (--nombre, --tipo, --direccion, "
            "--telefono, --email)."
        )
    with contexto().sesion() as s:
        inst, cambios = instituciones.editar(
            s, institucion, nombre=nombre, tipo=tipo, direccion=direccion, telefono=telefono, email=email
        )
        que = f"Institución '{inst.nombre}'"
    mostrar_cambios(que, cambios)


@app.command("desactivar")
def desactivar(
    institucion: ArgumentoInstitucion,
    con_grupos: Annotated[
        bool, typer.Option("--con-grupos", help="Desactiva también sus grupos activos (misma transacción).")
    ] = False,
) -> None:
    """Baja lógica de la institución (sus datos se conservan)."""
    from amauta_cli import salida
    from amauta_cli.services import instituciones
    from amauta_cli.textos import plural

    with contexto().sesion() as s:
        r = instituciones.desactivar(s, institucion, con_grupos)
        nombre = r.institucion.nombre
    if not r.cambiado:
        salida.exito(f"'{nombre}' ya estaba inactiva. No se cambió nada.")
        return
    salida.exito(f"Institución desactivada: {nombre}.")
    if r.grupos_desactivados:
        n = len(r.grupos_desactivados)
        salida.info(
            f"También se {'desactivó' if n == 1 else 'desactivaron'} {plural(n, 'grupo')}: "
            f"{', '.join(r.grupos_desactivados)}."
        )


@app.command("activar")
def activar(institucion: ArgumentoInstitucion) -> None:
    """Vuelve a activar una institución (sus grupos quedan como estén)."""
    from amauta_cli import salida
    from amauta_cli.services import instituciones

    with contexto().sesion() as s:
        r = instituciones.activar(s, institucion)
        nombre = r.institucion.nombre
    if not r.cambiado:
        salida.exito(f"'{nombre}' ya estaba activa. No se cambió nada.")
    else:
        salida.exito(f"Institución activada: {nombre}.")
