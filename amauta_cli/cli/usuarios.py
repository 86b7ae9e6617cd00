"""``amauta usuarios``: cuentas y perfiles, de a una o en bloque desde una planilla CSV."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, NoReturn, Optional

import typer

from amauta_cli.cli.comun import Formato, OpcionFormato, contexto

app = typer.Typer(
    help=(
        "Usuarios y perfiles: crear, listar, ver, editar, activar/desactivar, cambiar la "
        "contraseña, importar desde CSV y exportar."
    ),
    no_args_is_help=True,
)

# --- Opciones compartidas ------------------------------------------------------------------------
OpcionPasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Lee la contraseña de la primera línea de la entrada estándar (para scripts).",
    ),
]
OpcionGenerarPassword = Annotated[
    bool,
    typer.Option(
        "--generar-password",
        help="Genera una contraseña fuerte al azar y la muestra UNA vez en stderr.",
    ),
]
OpcionMatricula = Annotated[Optional[str], typer.Option("--matricula", help="Matrícula o legajo (estudiantes).")]
OpcionGrado = Annotated[Optional[str], typer.Option("--grado", help="Grado o año que cursa (estudiantes), p. ej. 4to.")]
OpcionCiudad = Annotated[Optional[str], typer.Option("--ciudad", help="Ciudad.")]
OpcionPais = Annotated[Optional[str], typer.Option("--pais", help="País.")]
OpcionTelefono = Annotated[Optional[str], typer.Option("--telefono", help="Teléfono.")]
OpcionInstitucionPerfil = Annotated[
    Optional[str], typer.Option("--institucion", help="Institución (texto libre del perfil).")
]
OpcionBio = Annotated[Optional[str], typer.Option("--bio", help="Biografía breve.")]
OpcionEspecialidad = Annotated[
    Optional[str],
    typer.Option("--especialidad", help="Especialidades (educadores), separadas por coma: 'Álgebra, Geometría'."),
]
OpcionExperiencia = Annotated[
    Optional[str], typer.Option("--experiencia", help="Años de experiencia (educadores).")
]
OpcionAvatar = Annotated[Optional[str], typer.Option("--avatar", help="URL de la imagen de perfil.")]


def error_de_uso(mensaje: str) -> NoReturn:
    """Un error de uso (código 2) con mensaje en español."""
    from amauta_cli import render

    render.error(mensaje)
    raise typer.Exit(2)


def filtro_activo(activos: bool, inactivos: bool) -> Optional[bool]:
    if activos and inactivos:
        error_de_uso("Use --activos o --inactivos, no ambos.")
    return True if activos else (False if inactivos else None)


def _perfil(**valores: Optional[str]) -> dict[str, Optional[str]]:
    return {k: v for k, v in valores.items() if v is not None}


def obtener_password(password_stdin: bool, generar: bool) -> tuple[str, bool]:
    """La contraseña nueva y si fue generada. Nunca viene de argv.

    Sin opciones, la pide dos veces con eco oculto (se puede reintentar 3 veces).
    """
    from amauta_cli import render
    from amauta_cli.errores import DatosInvalidos
    from amauta_cli.seguridad import generar_password, validar_password

    if password_stdin and generar:
        error_de_uso("Use --password-stdin o --generar-password, no ambos.")
    if generar:
        return generar_password(), True
    if password_stdin:
        pw = sys.stdin.readline().rstrip("\r\n")
        if not pw:
            raise DatosInvalidos(
                "--password-stdin: no llegó ninguna contraseña por la entrada estándar "
                "(se lee la primera línea)."
            )
        validar_password(pw)
        return pw, False
    for _ in range(3):
        try:
            pw = typer.prompt("Contraseña nueva", hide_input=True, err=True)
            try:
                validar_password(pw)
            except DatosInvalidos as e:
                render.aviso(f"{e.mensaje[0].upper()}{e.mensaje[1:]}. Intente de nuevo.")
                continue
            repetida = typer.prompt("Repita la contraseña", hide_input=True, err=True)
        except (typer.Abort, EOFError):
            raise DatosInvalidos(
                "No se recibió la contraseña. Escríbala cuando se le pida, o use "
                "--password-stdin o --generar-password en scripts."
            ) from None
        if pw == repetida:
            return pw, False
        render.aviso("Las dos contraseñas no coinciden. Intente de nuevo.")
    raise DatosInvalidos("No se pudo leer una contraseña válida en 3 intentos; no se cambió nada.")


def mostrar_password_generada(email: str, pw: str) -> None:
    from amauta_cli import render

    render.info(
        f"Contraseña generada para {email} (se muestra solo esta vez; entréguela de forma "
        f"segura): {pw}"
    )


def mostrar_cambios(que: str, cambios: list) -> None:
    from amauta_cli import render

    if not cambios:
        render.exito(f"Sin cambios: {que} ya tenía esos datos.")
        return
    render.exito(f"{que} actualizado:")
    for c in cambios:
        render.info(f"  {c.campo}: {_valor(c.antes)} → {_valor(c.despues)}")


def _valor(v: object) -> str:
    from amauta_cli.render import a_texto

    texto = a_texto(v)
    return f"'{texto}'" if texto else "(vacío)"


# --- Comandos --------------------------------------------------------------------------------------
@app.command("crear")
def crear(
    email: Annotated[str, typer.Option("--email", "-e", help="Email (se guarda en minúsculas).", show_default=False)],
    nombre: Annotated[str, typer.Option("--nombre", "-n", help="Nombre.", show_default=False)],
    apellido: Annotated[str, typer.Option("--apellido", "-a", help="Apellido.", show_default=False)],
    rol: Annotated[
        str,
        typer.Option(
            "--rol", "-r", help="ESTUDIANTE, EDUCADOR, ADMIN_ESCUELA o SUPER_ADMIN (sin distinguir mayúsculas).",
            show_default=False,
        ),
    ],
    matricula: OpcionMatricula = None,
    grado: OpcionGrado = None,
    ciudad: OpcionCiudad = None,
    pais: OpcionPais = None,
    telefono: OpcionTelefono = None,
    institucion: OpcionInstitucionPerfil = None,
    bio: OpcionBio = None,
    especialidad: OpcionEspecialidad = None,
    experiencia: OpcionExperiencia = None,
    avatar: OpcionAvatar = None,
    password_stdin: OpcionPasswordStdin = False,
    generar_password: OpcionGenerarPassword = False,
) -> None:
    """Crea un usuario con su perfil. La contraseña se pide dos veces sin eco."""
    from amauta_cli import render
    from amauta_cli.services import usuarios

    if password_stdin and generar_password:
        error_de_uso("Use --password-stdin o --generar-password, no ambos.")
    nuevo = usuarios.preparar_alta(
        email,
        nombre,
        apellido,
        rol,
        avatar,
        _perfil(
            matricula=matricula, grado=grado, ciudad=ciudad, pais=pais, telefono=telefono,
            institucion=institucion, bio=bio, especialidad=especialidad, experiencia=experiencia,
        ),
    )
    ctx = contexto()
    with ctx.sesion(solo_lectura=True) as s:
        usuarios.verificar_alta(s, nuevo)  # antes de pedir la contraseña
    pw, generada = obtener_password(password_stdin, generar_password)
    with ctx.sesion() as s:
        u = usuarios.crear(s, nuevo, pw)
    render.exito(f"Usuario creado: {u.email} ({u.rol.value}), id {u.id}.")
    if generada:
        mostrar_password_generada(u.email, pw)


@app.command("listar")
def listar(
    rol: Annotated[Optional[str], typer.Option("--rol", "-r", help="Solo este rol.")] = None,
    activos: Annotated[bool, typer.Option("--activos", help="Solo usuarios activos.")] = False,
    inactivos: Annotated[bool, typer.Option("--inactivos", help="Solo usuarios desactivados.")] = False,
    buscar: Annotated[
        Optional[str],
        typer.Option(
            "--buscar", "-b",
            help="Texto en nombre, apellido, email o matrícula; sin distinguir mayúsculas ni acentos.",
        ),
    ] = None,
    pagina: Annotated[int, typer.Option("--pagina", "-p", min=1, help="Número de página.")] = 1,
    por_pagina: Annotated[
        int, typer.Option("--por-pagina", min=1, max=10000, help="Usuarios por página.")
    ] = 50,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Lista usuarios por apellido y nombre, de a una página."""
    from amauta_cli import render
    from amauta_cli.services import usuarios

    activo = filtro_activo(activos, inactivos)
    with contexto().sesion(solo_lectura=True) as s:
        p = usuarios.listar(s, rol, activo, buscar, pagina, por_pagina)
    pie = f"Página {p.pagina} de {p.paginas} · {p.total} usuario(s)."
    if p.pagina < p.paginas:
        pie += f" Use --pagina {p.pagina + 1} para ver más."
    hay_filtros = bool(rol or activo is not None or (buscar and buscar.strip()))
    vacio = "Ningún usuario cumple esos filtros." if hay_filtros else "No hay usuarios."
    if p.total and not p.filas:
        vacio = f"La página {p.pagina} está vacía: hay {p.paginas} página(s) de {p.total} usuario(s)."
    render.emitir_filas(p.filas, usuarios.COLUMNAS_LISTADO, formato.value, vacio=vacio, pie=pie)


@app.command("ver")
def ver(
    email: Annotated[str, typer.Argument(help="Email del usuario.", show_default=False)],
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """El usuario, su perfil, sus grupos y sus inscripciones (nunca la contraseña)."""
    from amauta_cli import render
    from amauta_cli.services import usuarios

    with contexto().sesion(solo_lectura=True) as s:
        d = usuarios.ver(s, email)
    if formato == Formato.json:
        render.emitir_json(d)
        return
    perfil = d["perfil"] or {}
    pares = [
        ("email", "Email", d["email"]),
        ("nombre", "Nombre", d["nombre"]),
        ("apellido", "Apellido", d["apellido"]),
        ("rol", "Rol", d["rol"]),
        ("activo", "Activo", d["activo"]),
        (
            "password_definida",
            "Contraseña",
            d["password_definida"]
            if formato == Formato.csv
            else ("definida" if d["password_definida"] else "pendiente (use `amauta usuarios password`)"),
        ),
        ("avatar", "Avatar", d["avatar"]),
        ("emailVerificado", "Email verificado", d["emailVerificado"]),
        ("id", "Id", d["id"]),
        ("createdAt", "Creado", d["createdAt"]),
        ("updatedAt", "Actualizado", d["updatedAt"]),
    ]
    etiquetas = {
        "matricula": "Matrícula", "grado": "Grado", "ciudad": "Ciudad", "pais": "País",
        "telefono": "Teléfono", "institucion": "Institución", "bio": "Bio",
        "especialidad": "Especialidad", "experiencia": "Experiencia (años)",
    }
    pares += [(f"perfil.{c}", etiquetas[c], perfil.get(c)) for c in usuarios.CAMPOS_PERFIL]
    if formato == Formato.csv:
        pares.append(
            ("grupos", "Grupos", "; ".join(f"{g['nombre']} ({g['institucion']}, {g['participacion']})" for g in d["grupos"]))
        )
        pares.append(
            ("inscripciones", "Inscripciones", "; ".join(f"{i['slug']} ({i['estado'].value}, {i['progreso']}%)" for i in d["inscripciones"]))
        )
        render.emitir_clave_valor(pares, "csv")
        return
    render.emitir_clave_valor(pares, "tabla", titulo=f"{d['nombre']} {d['apellido']}")
    render.emitir_filas(
        d["grupos"],
        [("nombre", "Grupo"), ("institucion", "Institución"), ("participacion", "Como"), ("activo", "Activo"), ("desde", "Desde")],
        "tabla",
        titulo="Grupos",
        vacio="No está en ningún grupo.",
    )
    render.emitir_filas(
        d["inscripciones"],
        [("curso", "Curso"), ("estado", "Estado"), ("progreso", "Progreso %"), ("inscritoEn", "Inscripto"), ("completadoEn", "Completado")],
        "tabla",
        titulo="Inscripciones",
        vacio="No tiene inscripciones a cursos.",
    )


@app.command("editar")
def editar(
    email: Annotated[str, typer.Argument(help="Email actual del usuario.", show_default=False)],
    nombre: Annotated[Optional[str], typer.Option("--nombre", "-n", help="Nombre nuevo.")] = None,
    apellido: Annotated[Optional[str], typer.Option("--apellido", "-a", help="Apellido nuevo.")] = None,
    email_nuevo: Annotated[Optional[str], typer.Option("--email", "-e", help="Email nuevo.")] = None,
    rol: Annotated[Optional[str], typer.Option("--rol", "-r", help="Rol nuevo.")] = None,
    matricula: OpcionMatricula = None,
    grado: OpcionGrado = None,
    ciudad: OpcionCiudad = None,
    pais: OpcionPais = None,
    telefono: OpcionTelefono = None,
    institucion: OpcionInstitucionPerfil = None,
    bio: OpcionBio = None,
    especialidad: OpcionEspecialidad = None,
    experiencia: OpcionExperiencia = None,
    avatar: OpcionAvatar = None,
) -> None:
    """Modifica datos del usuario y de su perfil. Un valor vacío ('') borra un campo opcional."""
    from amauta_cli.errores import DatosInvalidos
    from amauta_cli.services import usuarios

    perfil = _perfil(
        matricula=matricula, grado=grado, ciudad=ciudad, pais=pais, telefono=telefono,
        institucion=institucion, bio=bio, especialidad=especialidad, experiencia=experiencia,
    )
    if not perfil and all(v is None for v in (nombre, apellido, email_nuevo, rol, avatar)):
        raise DatosInvalidos(
            "Nada que cambiar: indique al menos una opción (--nombre, --apellido, --email, "
            "--rol, --matricula...). Vea `amauta usuarios editar --help`."
        )
    with contexto().sesion() as s:
        u, cambios = usuarios.editar(
            s, email, nombre=nombre, apellido=apellido, email_nuevo=email_nuevo, rol=rol,
            avatar=avatar, perfil=perfil,
        )
        que = f"Usuario {u.email}"
    mostrar_cambios(que, cambios)


@app.command("desactivar")
def desactivar(
    email: Annotated[str, typer.Argument(help="Email del usuario.", show_default=False)],
) -> None:
    """Baja lógica: el usuario deja de estar activo (sus datos se conservan)."""
    from amauta_cli import render
    from amauta_cli.services import usuarios

    with contexto().sesion() as s:
        r = usuarios.desactivar(s, email)
        correo = r.usuario.email
    if not r.cambiado:
        render.exito(f"{correo} ya estaba inactivo. No se cambió nada.")
        return
    render.exito(f"Usuario desactivado: {correo}. Se reactiva con `amauta usuarios activar {correo}`.")
    for a in r.avisos:
        render.aviso(a)


@app.command("activar")
def activar(
    email: Annotated[str, typer.Argument(help="Email del usuario.", show_default=False)],
) -> None:
    """Vuelve a activar un usuario desactivado."""
    from amauta_cli import render
    from amauta_cli.services import usuarios

    with contexto().sesion() as s:
        r = usuarios.activar(s, email)
        correo = r.usuario.email
    if not r.cambiado:
        render.exito(f"{correo} ya estaba activo. No se cambió nada.")
    else:
        render.exito(f"Usuario activado: {correo}.")


@app.command("password")
def password(
    email: Annotated[str, typer.Argument(help="Email del usuario.", show_default=False)],
    password_stdin: OpcionPasswordStdin = False,
    generar_password: OpcionGenerarPassword = False,
) -> None:
    """Define una contraseña nueva (se pide dos veces sin eco)."""
    from amauta_cli import render
    from amauta_cli.services import comun as buscar
    from amauta_cli.services import usuarios

    if password_stdin and generar_password:
        error_de_uso("Use --password-stdin o --generar-password, no ambos.")
    ctx = contexto()
    with ctx.sesion(solo_lectura=True) as s:
        buscar.buscar_usuario(s, email)  # antes de pedir la contraseña
    pw, generada = obtener_password(password_stdin, generar_password)
    with ctx.sesion() as s:
        u = usuarios.cambiar_password(s, email, pw)
        correo = u.email
    render.exito(f"Contraseña actualizada para {correo}.")
    if generada:
        mostrar_password_generada(correo, pw)


@app.command("importar")
def importar(
    archivo: Annotated[str, typer.Argument(help="Archivo CSV (coma o punto y coma; UTF-8 o Windows-1252).", show_default=False)],
    simular: Annotated[
        bool, typer.Option("--simular", help="Informa qué se crearía, actualizaría u omitiría, sin escribir nada.")
    ] = False,
    actualizar: Annotated[
        bool, typer.Option("--actualizar", help="Modifica los usuarios que ya existen (si no, son un error).")
    ] = False,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Crea (o con --actualizar, modifica) usuarios desde una planilla CSV.

    Columnas: email, nombre, apellido, rol; opcionales: password, matricula, grado,
    ciudad, pais, telefono, institucion, bio, especialidad, experiencia, avatar.
    Se valida todo el archivo antes de escribir: si una fila tiene problemas, no se
    escribe nada y se informan todas con su número de línea.
    """
    from amauta_cli import render
    from amauta_cli.services import usuarios

    ctx = contexto()
    with ctx.sesion(solo_lectura=True) as s:
        plan = usuarios.planificar_importacion(s, archivo, actualizar)
    if plan.columnas_ignoradas:
        render.aviso(f"Columnas ignoradas (amauta no las conoce): {', '.join(plan.columnas_ignoradas)}.")
    resumen = (
        f"{plan.a_crear} a crear ({plan.con_password} con contraseña), "
        f"{plan.a_actualizar} a actualizar, {plan.sin_cambios} sin cambios"
    )
    if simular:
        render.emitir_filas(
            plan.detalle(),
            [("linea", "Línea"), ("email", "Email"), ("accion", "Acción"), ("detalle", "Detalle")],
            formato.value,
            titulo="Simulación de la importación (no se escribió nada)",
        )
        render.info(f"Simulación: {resumen}. No se escribió nada.")
        return
    if plan.con_password:
        with render.progreso("Calculando hashes bcrypt", total=plan.con_password) as avanzar:
            usuarios.hashear_passwords(plan, avanzar)
    with render.progreso("Escribiendo usuarios", total=plan.a_crear + plan.a_actualizar) as avanzar:
        with ctx.sesion() as s:
            r = usuarios.aplicar_importacion(s, plan, avanzar)
    from amauta_cli.cli.comun import tras_cambio_masivo

    tras_cambio_masivo("Usuario", "Perfil")
    render.exito(
        f"Importación completa: {r.creados} creado(s), {r.actualizados} actualizado(s), "
        f"{r.sin_cambios} sin cambios."
    )
    pendientes = r.creados - r.con_password
    if pendientes:
        render.info(
            f"{pendientes} usuario(s) nuevo(s) sin contraseña: no pueden entrar hasta que se les "
            "defina una con `amauta usuarios password EMAIL`."
        )
    if r.passwords_ignoradas:
        render.aviso(
            f"Se ignoró la contraseña de {r.passwords_ignoradas} usuario(s) que ya existían: "
            "cámbiela con `amauta usuarios password EMAIL`."
        )


class FormatoExportacion(str, Enum):
    csv = "csv"
    json = "json"


@app.command("exportar")
def exportar(
    formato: Annotated[
        FormatoExportacion,
        typer.Option("--formato", "-f", help="csv (se reimporta con `importar --actualizar`) o json.", case_sensitive=False),
    ] = FormatoExportacion.csv,
) -> None:
    """Todos los usuarios con su perfil, en streaming a stdout (nunca las contraseñas)."""
    from amauta_cli import render
    from amauta_cli.services import usuarios

    columnas = [(c, c) for c in usuarios.COLUMNAS_EXPORTACION]
    with contexto().sesion(solo_lectura=True) as s:
        n = render.emitir_filas(usuarios.exportar(s), columnas, formato.value)
    render.info(f"{n} usuario(s) exportado(s).")
