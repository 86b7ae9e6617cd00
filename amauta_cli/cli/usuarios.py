"""``amauta usuarios``: cuentas y perfiles, de a una o en bloque desde una planilla CSV."""

from __future__ import annotations

import sys
from typing import Annotated, NoReturn, Optional

import typer

from amauta_cli.cli.comun import Formato, OpcionFormato, contexto, error_uso, mostrar_cambios
from amauta_cli.salida import Columna, FormatoArchivo

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
    """Un error de uso (código 2) con mensaje en español (ver ``comun.error_uso``)."""
    from amauta_cli.cli.comun import error_uso

    error_uso(mensaje)


def filtro_activo(activos: bool, inactivos: bool) -> Optional[bool]:
    if activos and inactivos:
        error_uso("Use --activos o --inactivos, no ambos.")
    return True if activos else (False if inactivos else None)


def _perfil(**valores: Optional[str]) -> dict[str, Optional[str]]:
    return {k: v for k, v in valores.items() if v is not None}


def _sin_terminal() -> bool:
    """Sin una terminal donde pedir la contraseña oculta (cron, un script sin tty): getpass
    avisaría en inglés que la contraseña se vería y la leería de la entrada con eco."""
    import os

    if os.name != "posix" or sys.stdin is None or sys.stdin is not sys.__stdin__:
        return False  # Windows lee de la consola; o la entrada la da quien llama (CliRunner)
    try:
        if sys.stdin.isatty():
            return False
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return True
    os.close(fd)
    return False


def obtener_password(password_stdin: bool, generar: bool, generar_disponible: bool = True) -> tuple[str, bool]:
    """La contraseña nueva y si fue generada. Nunca viene de argv.

    Sin opciones, la pide dos veces con eco oculto (se puede reintentar 3 veces).
    ``generar_disponible``: el comando ofrece ``--generar-password`` (los mensajes lo nombran).
    """
    from amauta_cli import salida
    from amauta_cli.errores import DatosInvalidos
    from amauta_cli.seguridad import generar_password, validar_password

    para_scripts = "--password-stdin o --generar-password" if generar_disponible else "--password-stdin"

    if password_stdin and generar:
        error_uso("Use --password-stdin o --generar-password, no ambos.")
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
    if _sin_terminal():
        raise DatosInvalidos(
            "No hay una terminal donde pedir la contraseña oculta (la entrada estándar no es una "
            f"terminal). Use {para_scripts}. No se cambió nada."
        )
    for _ in range(3):
        try:
            pw = typer.prompt("Contraseña nueva", hide_input=True, err=True)
            try:
                validar_password(pw)
            except DatosInvalidos as e:
                salida.aviso(f"{e.mensaje[0].upper()}{e.mensaje[1:]}. Intente de nuevo.")
                continue
            repetida = typer.prompt("Repita la contraseña", hide_input=True, err=True)
        except (typer.Abort, EOFError):
            raise DatosInvalidos(
                "No se recibió la contraseña. Escríbala cuando se le pida, o use "
                f"{para_scripts} en scripts."
            ) from None
        if pw == repetida:
            return pw, False
        salida.aviso("Las dos contraseñas no coinciden. Intente de nuevo.")
    raise DatosInvalidos("No se pudo leer una contraseña válida en 3 intentos; no se cambió nada.")


def mostrar_password_generada(email: str, pw: str) -> None:
    from amauta_cli import salida

    salida.info(
        f"Contraseña generada para {email} (se muestra solo esta vez; entréguela de forma "
        f"segura): {pw}"
    )


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
    from amauta_cli import salida
    from amauta_cli.services import usuarios

    if password_stdin and generar_password:
        error_uso("Use --password-stdin o --generar-password, no ambos.")
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
    salida.exito(f"Usuario creado: {u.email} ({u.rol.value}), id {u.id}.")
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
    """Lista usuarios por apellido y nombre (orden alfabético español), de a una página."""
    from amauta_cli import salida, textos
    from amauta_cli.services import usuarios

    activo = filtro_activo(activos, inactivos)
    with contexto().cruda(solo_lectura=True) as c:
        p = usuarios.listar(c, rol, activo, buscar, pagina, por_pagina)
    pie = f"Página {p.pagina} de {p.paginas} · {textos.plural(p.total, 'usuario')}."
    if p.pagina < p.paginas:
        pie += f" Use --pagina {p.pagina + 1} para ver más."
    hay_filtros = bool(rol or activo is not None or (buscar and buscar.strip()))
    vacio = "Ningún usuario cumple esos filtros." if hay_filtros else "No hay usuarios."
    if p.total and not p.filas:
        vacio = (
            f"La página {p.pagina} está vacía: hay {textos.plural(p.paginas, 'página')} de "
            f"{textos.plural(p.total, 'usuario')}."
        )
    salida.emitir(salida.Vista(COLUMNAS_LISTADO, p.filas, vacio=vacio, notas=[pie]), formato)


#: ``usuarios listar``: las claves (csv/json) no cambian desde la versión 0.1.
COLUMNAS_LISTADO = [
    Columna("email", "Email", "email", prioridad=0),
    Columna("apellido", "Apellido", "nombre", prioridad=0),
    Columna("nombre", "Nombre", "nombre", prioridad=0),
    Columna("rol", "Rol", "codigo", prioridad=1),
    Columna("activo", "Activo", "bool", prioridad=2),
    Columna("matricula", "Matrícula", "codigo", prioridad=2),
    Columna("grado", "Grado", "texto", prioridad=3),
    Columna("id", "Id", "codigo", prioridad=5),
    Columna("createdAt", "Creado", "fecha_hora", prioridad=4),
]
_ETIQUETAS_PERFIL = {
    "matricula": "Matrícula", "grado": "Grado", "ciudad": "Ciudad", "pais": "País",
    "telefono": "Teléfono", "institucion": "Institución", "bio": "Bio",
    "especialidad": "Especialidad", "experiencia": "Experiencia (años)",
}


@app.command("ver")
def ver(
    email: Annotated[str, typer.Argument(help="Email del usuario.", show_default=False)],
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """El usuario, su perfil, sus grupos y sus inscripciones (nunca la contraseña)."""
    from amauta_cli import salida
    from amauta_cli.salida import PLANILLAS, SIN_JSON, Campo, Ficha, Objeto, Vista
    from amauta_cli.services import usuarios

    with contexto().sesion(solo_lectura=True) as s:
        d = usuarios.ver(s, email)
    perfil = d["perfil"] or {}
    definida = d["password_definida"]
    campos = [
        Campo("email", "Email", d["email"], "email"),
        Campo("nombre", "Nombre", d["nombre"], "nombre"),
        Campo("apellido", "Apellido", d["apellido"], "nombre"),
        Campo("rol", "Rol", d["rol"]),
        Campo("activo", "Activo", d["activo"], "bool"),
        Campo("password_definida", "Contraseña", definida, "bool", solo_en=PLANILLAS),
        Campo(
            "password_definida", "Contraseña",
            "definida" if definida else "pendiente (use `amauta usuarios password`)", solo_en=("tabla",),
        ),
        Campo("avatar", "Avatar", d["avatar"]),
        Campo("emailVerificado", "Email verificado", d["emailVerificado"], "fecha_hora"),
        Campo("id", "Id", d["id"], "codigo"),
        Campo("createdAt", "Creado", d["createdAt"], "fecha_hora"),
        Campo("updatedAt", "Actualizado", d["updatedAt"], "fecha_hora"),
    ]
    campos += [Campo(f"perfil.{c}", _ETIQUETAS_PERFIL[c], perfil.get(c)) for c in usuarios.CAMPOS_PERFIL]
    campos += [
        Campo(
            "grupos", "Grupos",
            "; ".join(f"{g['nombre']} ({g['institucion']}, {g['participacion']})" for g in d["grupos"]),
            solo_en=PLANILLAS,
        ),
        Campo(
            "inscripciones", "Inscripciones",
            "; ".join(f"{i['slug']} ({i['estado'].value}, {i['progreso']}%)" for i in d["inscripciones"]),
            solo_en=PLANILLAS,
        ),
    ]
    salida.emitir(
        [
            Objeto(d),
            Ficha(campos, titulo=f"{d['nombre']} {d['apellido']}", solo_en=SIN_JSON),
            Vista(
                [
                    Columna("nombre", "Grupo", "nombre", prioridad=0),
                    Columna("institucion", "Institución", "nombre"),
                    Columna("participacion", "Como"),
                    Columna("activo", "Activo", "bool", prioridad=2),
                    Columna("desde", "Desde", "fecha", prioridad=2),
                ],
                d["grupos"], titulo="Grupos", vacio="No está en ningún grupo.", solo_en=("tabla",),
            ),
            Vista(
                [
                    Columna("curso", "Curso", "nombre", prioridad=0),
                    Columna("estado", "Estado", "codigo"),
                    Columna("progreso", "Progreso", "porcentaje", decimales=0),
                    Columna("inscritoEn", "Inscripto", "fecha", prioridad=2),
                    Columna("completadoEn", "Completado", "fecha", prioridad=2),
                ],
                d["inscripciones"], titulo="Inscripciones", vacio="No tiene inscripciones a cursos.",
                solo_en=("tabla",),
            ),
        ],
        formato,
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
    from amauta_cli import salida
    from amauta_cli.services import usuarios

    with contexto().sesion() as s:
        r = usuarios.desactivar(s, email)
        correo = r.usuario.email
    if not r.cambiado:
        salida.exito(f"{correo} ya estaba inactivo. No se cambió nada.")
        return
    salida.exito(f"Usuario desactivado: {correo}. Se reactiva con `amauta usuarios activar {correo}`.")
    for a in r.avisos:
        salida.aviso(a)


@app.command("activar")
def activar(
    email: Annotated[str, typer.Argument(help="Email del usuario.", show_default=False)],
) -> None:
    """Vuelve a activar un usuario desactivado."""
    from amauta_cli import salida
    from amauta_cli.services import usuarios

    with contexto().sesion() as s:
        r = usuarios.activar(s, email)
        correo = r.usuario.email
    if not r.cambiado:
        salida.exito(f"{correo} ya estaba activo. No se cambió nada.")
    else:
        salida.exito(f"Usuario activado: {correo}.")


@app.command("password")
def password(
    email: Annotated[str, typer.Argument(help="Email del usuario.", show_default=False)],
    password_stdin: OpcionPasswordStdin = False,
    generar_password: OpcionGenerarPassword = False,
) -> None:
    """Define una contraseña nueva (se pide dos veces sin eco)."""
    from amauta_cli import salida
    from amauta_cli.services import comun as buscar
    from amauta_cli.services import usuarios

    if password_stdin and generar_password:
        error_uso("Use --password-stdin o --generar-password, no ambos.")
    ctx = contexto()
    with ctx.sesion(solo_lectura=True) as s:
        buscar.buscar_usuario(s, email)  # antes de pedir la contraseña
    pw, generada = obtener_password(password_stdin, generar_password)
    with ctx.sesion() as s:
        u = usuarios.cambiar_password(s, email, pw)
        correo = u.email
    salida.exito(f"Contraseña actualizada para {correo}.")
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
    from amauta_cli import salida
    from amauta_cli.services import usuarios
    from amauta_cli.textos import plural

    ctx = contexto()
    problemas: list[str] = []
    lector = usuarios.lector_importacion(archivo, problemas)
    if not (actualizar or simular or "password" in lector.columnas):
        # Solo altas sin contraseña: una transacción y una pasada por el archivo, por el
        # driver a secas (SQLAlchemy tarda más en cargarse que la escritura de 10.000 filas).
        try:
            with salida.progreso("Importando usuarios") as avanzar:
                with ctx.cruda() as c:
                    r = usuarios.importar_nuevos(c, lector, problemas, avanzar)
        except usuarios.ImportacionConProblemas:
            pass  # no se escribió nada: el camino de abajo informa todas las líneas
        else:
            if lector.columnas_ignoradas:
                salida.aviso(f"Columnas ignoradas (amauta no las conoce): {', '.join(lector.columnas_ignoradas)}.")
            _informar_importacion(r)
            return
    # Con --actualizar, --simular o contraseñas (los hashes se calculan fuera de la transacción).
    transaccion = ctx.sesion if actualizar else ctx.cruda
    with transaccion(solo_lectura=True) as s:
        plan = usuarios.planificar_importacion(s, archivo, actualizar)
    if plan.columnas_ignoradas:
        salida.aviso(f"Columnas ignoradas (amauta no las conoce): {', '.join(plan.columnas_ignoradas)}.")
    resumen = (
        f"{plan.a_crear} a crear ({plan.con_password} con contraseña), "
        f"{plan.a_actualizar} a actualizar, {plan.sin_cambios} sin cambios"
    )
    if simular:
        salida.emitir(
            salida.Vista(
                [
                    Columna("linea", "Línea", "entero", prioridad=0),
                    Columna("email", "Email", "email", prioridad=0),
                    Columna("accion", "Acción"),
                    Columna("detalle", "Detalle"),
                ],
                plan.detalle(),
                titulo="Simulación de la importación (no se escribió nada)",
            ),
            formato,
        )
        salida.info(f"Simulación: {resumen}. No se escribió nada.")
        return
    if plan.con_password:
        with salida.progreso("Calculando hashes bcrypt", total=plan.con_password) as avanzar:
            usuarios.hashear_passwords(plan, avanzar)
    with salida.progreso("Escribiendo usuarios", total=plan.a_crear + plan.a_actualizar) as avanzar:
        with transaccion() as s:
            r = usuarios.aplicar_importacion(s, plan, avanzar)
    _informar_importacion(r)


def _informar_importacion(r: "usuarios.ResultadoImportacion") -> None:
    from amauta_cli import salida
    from amauta_cli.cli.comun import tras_cambio_masivo
    from amauta_cli.textos import plural

    tras_cambio_masivo("Usuario", "Perfil")
    salida.exito(
        f"Importación completa: {plural(r.creados, 'creado')}, {plural(r.actualizados, 'actualizado')}, "
        f"{r.sin_cambios} sin cambios."
    )
    pendientes = r.creados - r.con_password
    if pendientes:
        salida.info(
            f"{plural(pendientes, 'usuario nuevo', 'usuarios nuevos')} sin contraseña: no pueden "
            "entrar hasta que se les defina una con `amauta usuarios password EMAIL`."
        )
    if r.passwords_ignoradas:
        salida.aviso(
            f"Se ignoró la contraseña de "
            f"{plural(r.passwords_ignoradas, 'usuario que ya existía', 'usuarios que ya existían')}: "
            "cámbiela con `amauta usuarios password EMAIL`."
        )


#: ``usuarios exportar``: las columnas de ``importar`` (más datos de solo lectura). En csv y
#: json, las claves; en excel, títulos que ``importar`` reconoce (ver ``vocabulario``).
COLUMNAS_EXPORTACION = [
    Columna("email", "Email", "email"),
    Columna("nombre", "Nombre", "nombre"),
    Columna("apellido", "Apellido", "nombre"),
    Columna("rol", "Rol", "codigo"),
    Columna("activo", "Activo", "bool"),
    Columna("password_definida", "Contraseña definida", "bool"),
    Columna("matricula", "Matrícula", "codigo"),
    Columna("grado", "Grado"),
    Columna("ciudad", "Ciudad"),
    Columna("pais", "País"),
    Columna("telefono", "Teléfono", "codigo"),
    Columna("institucion", "Institución"),
    Columna("bio", "Bio"),
    Columna("especialidad", "Especialidad", "lista"),
    Columna("experiencia", "Experiencia", "entero"),
    Columna("avatar", "Avatar", "codigo"),
    Columna("emailVerificado", "Email verificado", "fecha_hora"),
    Columna("id", "Id", "codigo"),
    Columna("createdAt", "Creado", "fecha_hora"),
    Columna("updatedAt", "Actualizado", "fecha_hora"),
]


@app.command("exportar")
def exportar(
    formato: Annotated[
        FormatoArchivo,
        typer.Option(
            "--formato", "-f",
            help=(
                "csv (por defecto; se reimporta con `importar --actualizar`), json o excel (para "
                "abrir en Excel en español; también se reimporta)."
            ),
            case_sensitive=False,
        ),
    ] = FormatoArchivo.csv,
) -> None:
    """Todos los usuarios con su perfil, en streaming a stdout (nunca las contraseñas)."""
    from amauta_cli import salida
    from amauta_cli.services import usuarios
    from amauta_cli.textos import plural

    with contexto().sesion(solo_lectura=True) as s:
        n = salida.emitir(salida.Vista(COLUMNAS_EXPORTACION, usuarios.exportar(s)), formato)
    salida.info(f"{plural(n, 'usuario exportado', 'usuarios exportados')}.")
