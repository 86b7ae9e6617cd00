"""``amauta usuarios importar`` y ``exportar``: planillas reales, todo o nada, en ambos motores."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fabrica import PASSWORD, hash_de, sin_secretos, verifica_bcrypt

from amauta_cli.db import transaccion
from amauta_cli.errores import DatosInvalidos, OperacionRechazada
from amauta_cli.seguridad import es_inutilizable
from amauta_cli.services import usuarios

ALUMNOS = [
    ["Email", "Nombre", "Apellido", "Rol", "Matrícula", "Grado", "Ciudad"],
    ["sofia.perez@mail.com", "Sofía", "Pérez", "estudiante", "2025-001", "1ro", "Córdoba"],
    ["JOAQUIN.NUNEZ@mail.com", "Joaquín", "Núñez", "ESTUDIANTE", "2025-002", "1ro", "San Miguel de Tucumán"],
    ["ines.ibanez@mail.com", "Inés", "Ibáñez", "Estudiante", "2025-003", "2do", "Ushuaia"],
]


def _csv(tmp_path: Path, filas, separador=",", codificacion="utf-8", nombre="alumnos.csv") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=separador, lineterminator="\r\n").writerows(filas)
    ruta = tmp_path / nombre
    ruta.write_bytes(buf.getvalue().encode(codificacion))
    return str(ruta)


def _usuarios(bd, emails):
    return bd.filas(
        'SELECT u.email, u.nombre, u.apellido, u.rol, p.matricula, p.grado, p.ciudad FROM "Usuario" u '
        'JOIN "Perfil" p ON p."usuarioId" = u.id WHERE u.email IN (' + ",".join(f"'{e}'" for e in emails) + ") "
        "ORDER BY p.matricula"
    )


@pytest.mark.parametrize("separador", [",", ";"])
@pytest.mark.parametrize("codificacion", ["utf-8", "utf-8-sig", "cp1252"])
def test_importa_cada_codificacion_y_separador(amauta, escuela, tmp_path, separador, codificacion):
    ruta = _csv(tmp_path, ALUMNOS, separador, codificacion)
    r = amauta("usuarios", "importar", ruta)
    assert r.codigo == 0, r.texto
    assert "3 creados" in r.stderr
    assert _usuarios(escuela, ["sofia.perez@mail.com", "joaquin.nunez@mail.com", "ines.ibanez@mail.com"]) == [
        ("sofia.perez@mail.com", "Sofía", "Pérez", "ESTUDIANTE", "2025-001", "1ro", "Córdoba"),
        ("joaquin.nunez@mail.com", "Joaquín", "Núñez", "ESTUDIANTE", "2025-002", "1ro", "San Miguel de Tucumán"),
        ("ines.ibanez@mail.com", "Inés", "Ibáñez", "ESTUDIANTE", "2025-003", "2do", "Ushuaia"),
    ]
    # Cada usuario nuevo, con ids y fechas puestos por amauta y una contraseña inutilizable.
    filas = escuela.filas(
        'SELECT u.id, u.password, u."createdAt", u."updatedAt", p.id, p."updatedAt" FROM "Usuario" u '
        'JOIN "Perfil" p ON p."usuarioId" = u.id WHERE u.email LIKE :p', p="%@mail.com",
    )
    nuevos = [f for f in filas if f[0] and es_inutilizable(f[1])]
    assert len(nuevos) == 3
    assert all(len(f[0]) == 25 and f[0].startswith("c") and f[2] and f[3] and f[4] and f[5] for f in nuevos)


def test_encabezados_con_alias_y_columnas_desconocidas(amauta, escuela, tmp_path):
    ruta = _csv(tmp_path, [
        ["  CORREO ", "Nombres", "Apellidos", "ROL", "Legajo", "Contraseña", "Observaciones"],
        ["ana.paz@mail.com", "Ana", "Paz", "educador", "L-1", "Clave-Segura-1", "nada"],
    ])
    r = amauta("usuarios", "importar", ruta)
    assert r.codigo == 0, r.texto
    assert "Columnas ignoradas (amauta no las conoce): Observaciones" in r.stderr
    assert escuela.filas('SELECT rol FROM "Usuario" WHERE email = :e', e="ana.paz@mail.com") == [("EDUCADOR",)]
    assert verifica_bcrypt(hash_de(escuela, "ana.paz@mail.com"), "Clave-Segura-1")
    sin_secretos(r.texto, "Clave-Segura-1")


@pytest.mark.rapida
def test_todas_las_lineas_malas_se_informan_y_nada_se_escribe(amauta, escuela, tmp_path):
    ruta = _csv(tmp_path, [
        ["email", "nombre", "apellido", "rol", "experiencia", "password"],
        ["bien@mail.com", "Bien", "Bueno", "ESTUDIANTE", "", ""],             # 2: válida
        ["sin-arroba", "X", "Y", "ESTUDIANTE", "", ""],                      # 3
        ["rol.malo@mail.com", "X", "Y", "ALUMNO", "", ""],                   # 4
        ["BIEN@mail.com", "Otra", "Vez", "ESTUDIANTE", "", ""],              # 5: repetido
        ["Lucas.Fernandez@MAIL.com", "Lucas", "F", "ESTUDIANTE", "", ""],    # 6: ya existe
        ["sin.nombre@mail.com", "", "Y", "ESTUDIANTE", "", ""],              # 7
        ["exp@mail.com", "X", "Y", "EDUCADOR", "diez", ""],                  # 8
        ["corta@mail.com", "X", "Y", "ESTUDIANTE", "", "abc"],               # 9
        ["", "X", "Y", "ESTUDIANTE", "", ""],                                # 10
        ["ok2@mail.com", "Ok", "Dos", "EDUCADOR", "5", "Clave-Larga-9"],     # 11: válida
    ])
    antes = escuela.instantanea()
    r = amauta("usuarios", "importar", ruta)
    assert r.codigo == 1, r.texto
    assert escuela.instantanea() == antes
    assert "El archivo tiene 8 problemas; no se importó nada" in r.stderr
    esperados = [
        "línea 3: email: 'sin-arroba' no es un email válido",
        "línea 4: rol: 'ALUMNO' no es un valor válido (ESTUDIANTE, EDUCADOR, ADMIN_ESCUELA, SUPER_ADMIN)",
        "línea 5: el email 'bien@mail.com' está repetido (ya aparece en la línea 2)",
        "línea 6: ya existe un usuario con el email 'lucas.fernandez@mail.com'; use --actualizar",
        "línea 7: nombre: no puede estar vacío",
        "línea 8: experiencia: 'diez' no es una cantidad de años válida",
        "línea 9: password: la contraseña debe tener al menos 8 caracteres",
        "línea 10: email: falta el email",
    ]
    posiciones = [r.stderr.find(e) for e in esperados]
    assert all(p >= 0 for p in posiciones), r.stderr
    assert posiciones == sorted(posiciones), "los problemas deben ir en orden de línea"
    assert "línea 2:" not in r.stderr and "línea 11:" not in r.stderr
    sin_secretos(r.texto, "Clave-Larga-9", "abc,")


def test_errores_de_formato_csv_con_su_linea(amauta, escuela, tmp_path):
    ruta = tmp_path / "roto.csv"
    ruta.write_text('email,nombre,apellido,rol\nuno@mail.com,Uno,A,ESTUDIANTE,de,mas\ndos@mail.com,Dos,B,ALUMNO\n', encoding="utf-8")
    antes = escuela.instantanea()
    r = amauta("usuarios", "importar", str(ruta))
    assert r.codigo == 1
    assert "línea 2: tiene 6 campos pero el encabezado tiene 4" in r.stderr
    assert "línea 3: rol: 'ALUMNO'" in r.stderr
    assert escuela.instantanea() == antes


@pytest.mark.parametrize(
    "contenido, mensaje",
    [
        ("email;nombre;apellido\nx@mail.com;X;Y\n", "faltan columnas obligatorias: rol"),
        ("email,nombre,apellido,rol\n", "no tiene filas de datos"),
        ("", "vacío"),
    ],
)
def test_archivos_que_no_sirven(amauta, escuela, tmp_path, contenido, mensaje):
    ruta = tmp_path / "x.csv"
    ruta.write_text(contenido, encoding="utf-8")
    antes = escuela.instantanea()
    r = amauta("usuarios", "importar", str(ruta))
    assert r.codigo == 1 and mensaje in r.stderr
    assert escuela.instantanea() == antes
    r = amauta("usuarios", "importar", str(tmp_path / "no-existe.csv"))
    assert r.codigo == 1 and "no existe el archivo" in r.stderr


def test_simular_informa_y_no_escribe(amauta, escuela, tmp_path):
    ruta = _csv(tmp_path, [
        ["email", "nombre", "apellido", "rol", "grado", "password"],
        ["nueva@mail.com", "Nueva", "Alumna", "ESTUDIANTE", "1ro", "Clave-Segura-1"],
        ["lucas.fernandez@mail.com", "Lucas", "Fernández", "ESTUDIANTE", "5to", ""],
        ["valentina.ruiz@mail.com", "Valentina", "Ruiz", "ESTUDIANTE", "", "Otra-Clave-22"],
    ])
    antes = escuela.instantanea()
    r = amauta("usuarios", "importar", ruta, "--simular", "--actualizar", "--formato", "json")
    assert r.codigo == 0, r.texto
    assert escuela.instantanea() == antes
    plan = json.loads(r.stdout)
    assert [(p["linea"], p["email"], p["accion"]) for p in plan] == [
        (2, "nueva@mail.com", "crear"),
        (3, "lucas.fernandez@mail.com", "actualizar"),
        (4, "valentina.ruiz@mail.com", "sin cambios"),
    ]
    assert plan[0]["detalle"] == "con contraseña"
    assert plan[1]["detalle"] == "grado: 4to → 5to"
    assert "contraseña ignorada" in plan[2]["detalle"]
    assert "Simulación: 1 a crear (1 con contraseña), 1 a actualizar, 1 sin cambios. No se escribió nada." in r.stderr
    sin_secretos(r.texto, "Clave-Segura-1", "Otra-Clave-22")
    # Sin --actualizar, la simulación también rechaza a los existentes.
    r = amauta("usuarios", "importar", ruta, "--simular")
    assert r.codigo == 1 and "línea 3: ya existe" in r.stderr
    assert escuela.instantanea() == antes


def test_actualizar_modifica_solo_lo_que_trae_el_archivo(amauta, escuela, tmp_path):
    hash_antes = hash_de(escuela, "valentina.ruiz@mail.com")
    ruta = _csv(tmp_path, [
        ["email", "nombre", "apellido", "rol", "matricula", "grado", "ciudad", "password"],
        ["LUCAS.fernandez@mail.com", "Lucas", "Fernández Paz", "ESTUDIANTE", "", "5to", "", ""],
        ["valentina.ruiz@mail.com", "Valentina", "Ruiz", "ESTUDIANTE", "2024-002", "4to", "Quilmes", "Otra-Clave-22"],
        ["mateo.garcia@mail.com", "Mateo", "García", "ESTUDIANTE", "2024-003", "3ro", "Rosario", ""],
        ["nueva@mail.com", "Nueva", "Alumna", "ESTUDIANTE", "", "1ro", "", "Clave-Segura-1"],
    ])
    r = amauta("usuarios", "importar", ruta, "--actualizar")
    assert r.codigo == 0, r.texto
    assert "1 creado, 2 actualizados, 1 sin cambios" in r.stderr
    assert "Se ignoró la contraseña de 1 usuario que ya existía" in r.stderr
    # Una celda vacía no borra: Lucas conserva matrícula y ciudad.
    assert _usuarios(escuela, ["lucas.fernandez@mail.com"]) == [
        ("lucas.fernandez@mail.com", "Lucas", "Fernández Paz", "ESTUDIANTE", "2024-001", "5to", "Mendoza")
    ]
    assert escuela.valor('SELECT p.ciudad FROM "Perfil" p JOIN "Usuario" u ON u.id = p."usuarioId" WHERE u.email = :e', e="valentina.ruiz@mail.com") == "Quilmes"
    # La contraseña de un usuario existente no se pisa.
    assert hash_de(escuela, "valentina.ruiz@mail.com") == hash_antes
    assert verifica_bcrypt(hash_de(escuela, "nueva@mail.com"), "Clave-Segura-1")
    # Reimportar el mismo archivo no cambia nada.
    antes = escuela.instantanea()
    r = amauta("usuarios", "importar", ruta, "--actualizar")
    assert r.codigo == 0 and "0 creados, 0 actualizados, 4 sin cambios" in r.stderr
    assert escuela.instantanea() == antes


def test_actualizar_respeta_las_reglas_de_rol(amauta, escuela, tmp_path):
    ruta = _csv(tmp_path, [
        ["email", "nombre", "apellido", "rol"],
        ["admin@amauta.org", "Admin", "Sistema", "ADMIN_ESCUELA"],
        ["maria.gonzalez@edu.ar", "María", "González", "ESTUDIANTE"],
        ["lucas.fernandez@mail.com", "Lucas", "Fernández", "EDUCADOR"],
        ["mateo.garcia@mail.com", "Mateo", "García", "EDUCADOR"],
    ])
    antes = escuela.instantanea()
    r = amauta("usuarios", "importar", ruta, "--actualizar")
    assert r.codigo == 1
    assert "línea 2: 'admin@amauta.org' dejaría de ser SUPER_ADMIN y no quedaría ningún SUPER_ADMIN activo" in r.stderr
    assert "línea 3: el usuario 'maria.gonzalez@edu.ar' no puede dejar de ser EDUCADOR" in r.stderr
    assert "línea 4: el usuario 'lucas.fernandez@mail.com' no puede dejar de ser ESTUDIANTE" in r.stderr
    assert "línea 5" not in r.stderr
    assert escuela.instantanea() == antes


def test_email_guardado_con_mayusculas_cuenta_como_existente(amauta, escuela, tmp_path):
    escuela.ejecutar('UPDATE "Usuario" SET email = :n WHERE email = :v', n="Mateo.Garcia@Mail.com", v="mateo.garcia@mail.com")
    ruta = _csv(tmp_path, [["email", "nombre", "apellido", "rol"], ["mateo.garcia@MAIL.com", "Mateo", "García", "ESTUDIANTE"]])
    r = amauta("usuarios", "importar", ruta)
    assert r.codigo == 1 and "registrado como 'Mateo.Garcia@Mail.com'" in r.stderr


def test_passwords_del_archivo_se_hashean_con_bcrypt(amauta, escuela, tmp_path):
    filas = [["email", "nombre", "apellido", "rol", "password"]]
    filas += [[f"alumno{i}@mail.com", "A", str(i), "ESTUDIANTE", f"Clave-Numero-{i}" if i % 2 else ""] for i in range(6)]
    r = amauta("usuarios", "importar", _csv(tmp_path, filas))
    assert r.codigo == 0, r.texto
    assert "6 creados" in r.stderr
    assert "3 usuarios nuevos sin contraseña" in r.stderr
    for i in range(6):
        h = hash_de(escuela, f"alumno{i}@mail.com")
        if i % 2:
            assert verifica_bcrypt(h, f"Clave-Numero-{i}")
        else:
            assert es_inutilizable(h) and h.startswith("!") and len(h) > 30
    sin_secretos(r.texto, *(f"Clave-Numero-{i}" for i in (1, 3, 5)))


def test_la_base_cambia_entre_validar_y_escribir(escuela, tmp_path):
    ruta = _csv(tmp_path, ALUMNOS)
    with transaccion(escuela.url, solo_lectura=True) as s:
        plan = usuarios.planificar_importacion(s, ruta)
    with transaccion(escuela.url) as s:
        usuarios.crear(s, usuarios.preparar_alta("ines.ibanez@mail.com", "Inés", "Ibáñez", "ESTUDIANTE"), "Clave-Segura-1")
    antes = escuela.instantanea()
    with pytest.raises(OperacionRechazada, match="La base cambió") as e:
        with transaccion(escuela.url) as s:
            usuarios.aplicar_importacion(s, plan)
    assert any("línea 4" in p for p in e.value.problemas)
    assert escuela.instantanea() == antes


def test_servicio_reporta_problemas_como_lista(escuela):
    contenido = "email;nombre;apellido;rol\nmal;X;Y;ESTUDIANTE\n".encode("cp1252")
    with transaccion(escuela.url, solo_lectura=True) as s:
        with pytest.raises(DatosInvalidos) as e:
            usuarios.planificar_importacion(s, contenido)
    assert e.value.problemas == ["línea 2: email: 'mal' no es un email válido"]


# --- exportar -----------------------------------------------------------------------------------------
@pytest.mark.rapida
def test_exportar_csv_sin_hashes_y_se_reimporta_sin_cambios(amauta, escuela, tmp_path):
    r = amauta("usuarios", "exportar")
    assert r.codigo == 0, r.texto
    sin_secretos(r.texto, PASSWORD)
    filas = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(filas) == 8
    assert "password" not in filas[0]
    assert list(filas[0])[:6] == ["email", "nombre", "apellido", "rol", "activo", "password_definida"]
    maria = next(f for f in filas if f["email"] == "maria.gonzalez@edu.ar")
    assert maria["especialidad"] == "Álgebra, Geometría" and maria["experiencia"] == "10"
    assert "8 usuarios exportados" in r.stderr
    ruta = tmp_path / "exportados.csv"
    ruta.write_text(r.stdout, encoding="utf-8")
    antes = escuela.instantanea()
    r = amauta("usuarios", "importar", str(ruta), "--actualizar")
    assert r.codigo == 0, r.texto
    assert "0 creados, 0 actualizados, 8 sin cambios" in r.stderr
    assert escuela.instantanea() == antes


def test_exportar_json(amauta):
    r = amauta("usuarios", "exportar", "--formato", "json")
    assert r.codigo == 0
    datos = json.loads(r.stdout)
    assert [d["email"] for d in datos] == sorted(d["email"] for d in datos)
    ex = next(d for d in datos if d["email"] == "ex.alumno@mail.com")
    assert ex["activo"] is False and ex["password_definida"] is True
    assert all("password" not in d for d in datos)
    sin_secretos(r.stdout, PASSWORD)
    r = amauta("usuarios", "exportar", "--formato", "tabla")
    assert r.codigo == 2


def test_exportar_va_en_streaming(escuela):
    with transaccion(escuela.url, solo_lectura=True) as s:
        it = usuarios.exportar(s, lote=2)
        primero = next(it)
        assert primero["email"] == "admin@amauta.org"
        if escuela.motor == "postgresql":
            # A mitad de camino hay un cursor del servidor abierto: las filas no se traen todas juntas.
            assert s.connection().exec_driver_sql("SELECT count(*) FROM pg_cursors").scalar() == 1
        assert len(list(it)) == 7


# --- Altas grandes: por tramos, sin esperar al servidor (importar_nuevos) ---------------------------
def _alumnos(n: int, desde: int = 0) -> list[list[str]]:
    return [
        [f"tramo{i:05d}@mail.com", "Ana", f"Tramo {i}", "ESTUDIANTE", f"M-{i:05d}", f"{1 + i % 6}ro",
         "Biología; Química" if i % 3 == 0 else "", str(i % 40) if i % 2 else ""]
        for i in range(desde, desde + n)
    ]


ENCABEZADO_TRAMOS = ["email", "nombre", "apellido", "rol", "matricula", "grado", "especialidad", "experiencia"]


def test_alta_grande_por_tramos_escribe_cada_fila_con_su_perfil(amauta, escuela, tmp_path):
    """6.000 filas: varios tramos enviados sin esperar; cada usuario con su perfil completo."""
    r = amauta("usuarios", "importar", _csv(tmp_path, [ENCABEZADO_TRAMOS, *_alumnos(6000)]))
    assert r.codigo == 0, r.texto
    assert "6.000 creados" in r.stderr
    filas = escuela.filas(
        'SELECT u.email, u.apellido, u.rol, u.activo, u.password, p.matricula, p.grado, p.especialidad, '
        'p.experiencia, u."createdAt" = p."createdAt" FROM "Usuario" u JOIN "Perfil" p ON p."usuarioId" = u.id '
        "WHERE u.email LIKE :p ORDER BY u.email", p="tramo%",
    )
    assert len(filas) == 6000
    for i in (0, 1, 2999, 5999):
        email, apellido, rol, activo, password, matricula, grado, especialidad, experiencia, misma = filas[i]
        assert (email, apellido, rol, bool(activo), matricula, grado) == (
            f"tramo{i:05d}@mail.com", f"Tramo {i}", "ESTUDIANTE", True, f"M-{i:05d}", f"{1 + i % 6}ro"
        )
        if isinstance(especialidad, str):  # SQLite: la lista va como JSON
            especialidad = json.loads(especialidad)
        assert especialidad == (["Biología", "Química"] if i % 3 == 0 else [])
        assert experiencia == (i % 40 if i % 2 else None)
        assert es_inutilizable(password) and misma
    assert len({f[4] for f in filas}) == 6000, "cada usuario con su propia marca de 'sin contraseña'"


@pytest.mark.parametrize("problema", ["fila_mala_al_final", "email_ya_registrado", "mayusculas_registradas"])
def test_alta_grande_con_un_problema_tardio_no_deja_nada(amauta, escuela, tmp_path, problema):
    """El problema aparece cuando varios tramos ya se pasaron a Usuario y Perfil: no queda
    ninguno, y el informe nombra la línea como el de un archivo chico."""
    filas = _alumnos(5000)
    if problema == "fila_mala_al_final":
        filas[4990][0] = "sin-arroba"
        esperado = "línea 4992: email: 'sin-arroba' no es un email válido"
    elif problema == "email_ya_registrado":
        filas[4500][0] = "lucas.fernandez@mail.com"
        esperado = "línea 4502: ya existe un usuario con el email 'lucas.fernandez@mail.com'"
    else:
        escuela.ejecutar('UPDATE "Usuario" SET email = :n WHERE email = :v', n="Mateo.Garcia@Mail.com", v="mateo.garcia@mail.com")
        filas[4999][0] = "mateo.garcia@mail.com"
        esperado = "línea 5001: ya existe un usuario con el email 'mateo.garcia@mail.com' (registrado como 'Mateo.Garcia@Mail.com')"
    antes = escuela.instantanea()
    r = amauta("usuarios", "importar", _csv(tmp_path, [ENCABEZADO_TRAMOS, *filas]))
    assert r.codigo == 1, r.texto
    assert "El archivo tiene 1 problema; no se importó nada" in r.stderr
    assert esperado in r.stderr, r.stderr
    assert "Traceback" not in r.texto
    assert escuela.instantanea() == antes
