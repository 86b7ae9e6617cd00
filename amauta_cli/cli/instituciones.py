"""``amauta instituciones``: escuelas, colegios, universidades y centros de formación."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amauta_cli.cli.comun import Formato, OpcionFormato, contexto, error_uso

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
    from amauta_cli import render
    from amauta_cli.services import instituciones

    with contexto().sesion() as s:
        inst = instituciones.crear(s, nombre, tipo, direccion, telefono, email)
    render.exito(f"Institución creada: {inst.nombre} ({inst.tipo.value}), id {inst.id}.")


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
    """Instituciones con la cantidad de grupos activos, estudiantes y educadores."""
    from amauta_cli import render
    from amauta_cli.services import instituciones

    if activas and inactivas:
        error_uso("Use --activas o --inactivas, no ambas.")
    activa = True if activas else (False if inactivas else None)
    with contexto().sesion(solo_lectura=True) as s:
        filas = instituciones.listar(s, activa, tipo, buscar)
    render.emitir_filas(
        filas, instituciones.COLUMNAS_LISTADO, formato.value, vacio="No hay instituciones que mostrar."
    )


@app.command("ver")
def ver(institucion: ArgumentoInstitucion, formato: OpcionFormato = Formato.tabla) -> None:
    """La institución, sus conteos y sus grupos (con educador y cantidad de estudiantes)."""
    from amauta_cli import render
    from amauta_cli.services import instituciones

    with contexto().sesion(solo_lectura=True) as s:
        d = instituciones.ver(s, institucion)
    if formato == Formato.json:
        render.emitir_json(d)
        return
    if formato == Formato.csv:
        render.emitir_filas(d["grupos"], instituciones.COLUMNAS_GRUPOS, "csv")
        return
    render.emitir_clave_valor(
        [
            ("nombre", "Nombre", d["nombre"]),
            ("tipo", "Tipo", d["tipo"]),
            ("activa", "Activa", d["activa"]),
            ("direccion", "Dirección", d["direccion"]),
            ("telefono", "Teléfono", d["telefono"]),
            ("email", "Email", d["email"]),
            ("grupos_activos", "Grupos activos", d["grupos_activos"]),
            ("grupos_inactivos", "Grupos inactivos", d["grupos_inactivos"]),
            ("estudiantes", "Estudiantes (en grupos activos)", d["estudiantes"]),
            ("educadores", "Educadores (de grupos activos)", d["educadores"]),
            ("id", "Id", d["id"]),
            ("createdAt", "Creada", d["createdAt"]),
        ],
        "tabla",
        titulo=d["nombre"],
    )
    render.emitir_filas(
        d["grupos"], instituciones.COLUMNAS_GRUPOS, "tabla", titulo="Grupos", vacio="No tiene grupos."
    )


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
    from amauta_cli.cli.usuarios import mostrar_cambios
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
    from amauta_cli import render
    from amauta_cli.services import instituciones

    with contexto().sesion() as s:
        r = instituciones.desactivar(s, institucion, con_grupos)
        nombre = r.institucion.nombre
    if not r.cambiado:
        render.exito(f"'{nombre}' ya estaba inactiva. No se cambió nada.")
        return
    render.exito(f"Institución desactivada: {nombre}.")
    if r.grupos_desactivados:
        render.info(
            f"También se desactivaron {len(r.grupos_desactivados)} grupo(s): "
            f"{', '.join(r.grupos_desactivados)}."
        )


@app.command("activar")
def activar(institucion: ArgumentoInstitucion) -> None:
    """Vuelve a activar una institución (sus grupos quedan como estén)."""
    from amauta_cli import render
    from amauta_cli.services import instituciones

    with contexto().sesion() as s:
        r = instituciones.activar(s, institucion)
        nombre = r.institucion.nombre
    if not r.cambiado:
        render.exito(f"'{nombre}' ya estaba activa. No se cambió nada.")
    else:
        render.exito(f"Institución activada: {nombre}.")
