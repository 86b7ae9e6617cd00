"""``amauta accesos``: credenciales de base de datos para cada escuela (solo PostgreSQL).

Cada acceso es un rol LOGIN de PostgreSQL, miembro de ``amauta_escuela``, que por la
seguridad por filas ve y cambia solo su institución, con cualquier cliente (amauta, psql,
una planilla conectada). Crearlos, revocarlos y probarlos necesita las credenciales de
administración de la plataforma y un rol que pueda crear roles (CREATEROLE).
"""

from __future__ import annotations

from typing import Annotated

import typer

from amauta_cli.cli.comun import OpcionSi, confirmar, contexto
from amauta_cli.salida import Formato, OpcionFormato

app = typer.Typer(
    help=(
        "Accesos por escuela (solo PostgreSQL): roles de la base limitados a una institución: "
        "crear, listar, revocar, probar."
    ),
    no_args_is_help=True,
)

ArgumentoRol = Annotated[str, typer.Argument(help="Nombre del rol de la escuela.", metavar="ROL", show_default=False)]


@app.command("crear")
def crear(
    institucion: Annotated[
        str, typer.Option("--institucion", "-i", help="Institución (nombre o id) a la que se limita.", show_default=False)
    ],
    rol: Annotated[
        str,
        typer.Option("--rol", "-r", help="Nombre del rol nuevo, p. ej. escuela42_direccion.", show_default=False),
    ],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Lee la contraseña de la primera línea de la entrada estándar (para scripts).",
        ),
    ] = False,
) -> None:
    """Crea un rol LOGIN que ve y cambia solo esa institución. La contraseña se pide oculta
    (o llega por --password-stdin); nunca va en la línea de comandos."""
    from amauta_cli import salida
    from amauta_cli.cli.usuarios import obtener_password
    from amauta_cli.db import datos_conexion
    from amauta_cli.services import accesos

    ctx = contexto()
    with ctx.cruda(solo_lectura=True) as c:
        nombre = accesos.comprobar_crear(c, rol)  # antes de pedir la contraseña
    password, _ = obtener_password(password_stdin, False, generar_disponible=False)
    with ctx.cruda() as c:
        a = accesos.crear(c, institucion, nombre, password)
    d = datos_conexion(ctx.url)
    salida.exito(
        f"Acceso creado: el rol {a.rol} ve y cambia solo '{a.institucion}' (con amauta, psql o "
        "cualquier otro cliente)."
    )
    salida.info(
        f"Entréguele a la escuela el usuario {a.rol}, la contraseña (por un canal seguro) y "
        f"AMAUTA_DATABASE_URL=postgresql://{a.rol}@{d.host}:{d.puerto}/{d.base} "
        "(la contraseña en PGPASSWORD o ~/.pgpass, no en la URL)."
    )


@app.command("listar")
def listar(formato: OpcionFormato = Formato.tabla) -> None:
    """Los accesos de esta base: rol, institución, alta y último cambio de contraseña."""
    from amauta_cli import salida, textos
    from amauta_cli.salida import Columna, Vista
    from amauta_cli.services import accesos

    with contexto().cruda(solo_lectura=True) as c:
        filas = accesos.listar(c)
    faltan = [a.rol for a in filas if not a.existe]
    notas = []
    if faltan:
        notas.append(
            f"{textos.plural(len(faltan), 'rol')} sin rol en este servidor ({', '.join(faltan)}): recréelos con "
            "`amauta accesos crear --institucion ... --rol ...`."
        )
    salida.emitir(
        Vista(
            titulo="Accesos por escuela",
            columnas=[
                Columna("rol", "Rol", "codigo", prioridad=0),
                Columna("institucion", "Institución", "nombre", prioridad=0),
                Columna("creado", "Creado", "fecha_hora"),
                Columna("password_cambiada", "Contraseña cambiada", "fecha_hora", prioridad=2),
                Columna("existe", "Rol en el servidor", "bool", prioridad=2),
                Columna("creado_por", "Creado por", "codigo", prioridad=3),
                Columna("institucion_id", "Id de la institución", "codigo", prioridad=4),
            ],
            filas=filas,
            notas=notas,
            vacio="No hay accesos de escuelas en esta base. Créelos con `amauta accesos crear`.",
        ),
        formato,
    )


@app.command("revocar")
def revocar(rol: ArgumentoRol, si: OpcionSi = False) -> None:
    """Quita el acceso y borra el rol del servidor (sus sesiones dejan de ver datos)."""
    from amauta_cli import salida
    from amauta_cli.services import accesos

    ctx = contexto()
    with ctx.cruda(solo_lectura=True) as c:
        accesos.comprobar(c, "`amauta accesos revocar`")  # antes de preguntar
    confirmar(f"Se revocará el acceso del rol '{rol}' y se borrará el rol del servidor. ¿Continuar?", si)
    with ctx.cruda() as c:
        r = accesos.revocar(c, rol)
    if r.rol_borrado:
        salida.exito(f"Acceso revocado: el rol {r.acceso.rol} ('{r.acceso.institucion}') ya no existe.")
    else:
        salida.exito(
            f"Acceso revocado: '{r.acceso.institucion}' ya no figura para {r.acceso.rol} "
            "(el rol no existía en este servidor)."
        )


@app.command("probar")
def probar(rol: ArgumentoRol, formato: OpcionFormato = Formato.tabla) -> None:
    """Lo que ve ese rol, tabla por tabla, consultando COMO ese rol (no cambia nada)."""
    from amauta_cli import salida
    from amauta_cli.salida import Columna, Vista
    from amauta_cli.services import accesos

    with contexto().cruda() as c:
        p = accesos.probar(c, rol)
    salida.emitir(
        Vista(
            titulo=f"Lo que ve el rol {p.acceso.rol}",
            subtitulos=[f"Limitado a '{p.acceso.institucion}'."],
            columnas=[
                Columna("tabla", "Tabla", "codigo", prioridad=0),
                Columna("visibles", "Filas que ve", "entero", prioridad=0),
                Columna("total", "Filas en la base", "entero"),
            ],
            filas=[{"tabla": t, "visibles": v, "total": n} for t, v, n in p.tablas],
            notas=["Consultado como ese rol, en una transacción que se deshizo."],
        ),
        formato,
    )
