//! Which column holds what: suggested from the header names people actually have (the admin
//! center's "Add multiple users" template and "Export users" file, common HR exports, and
//! their Dutch, German, French and Spanish names), and changed by the person.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Field {
    /// The user principal name (or mail) of the person.
    User,
    UsageLocation,
    /// Licenses to give (or, with the action "replace", the licenses to have).
    AddLicenses,
    RemoveLicenses,
    /// add, remove or replace.
    Action,
    /// Service plans (apps) to leave off in the licenses given.
    DisabledPlans,
    /// Shown, not used.
    Department,
    /// A role template's name: the row gets the role's plans (with its apps off).
    Role,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::User,
        Field::UsageLocation,
        Field::AddLicenses,
        Field::RemoveLicenses,
        Field::Action,
        Field::DisabledPlans,
        Field::Department,
        Field::Role,
    ];

    /// The name used on the command line (`--map COLUMN=FIELD`).
    pub fn cli_name(self) -> &'static str {
        match self {
            Field::User => "user",
            Field::UsageLocation => "usage-location",
            Field::AddLicenses => "add-licenses",
            Field::RemoveLicenses => "remove-licenses",
            Field::Action => "action",
            Field::DisabledPlans => "disabled-plans",
            Field::Department => "department",
            Field::Role => "role",
        }
    }

    pub fn from_cli_name(name: &str) -> Option<Field> {
        let wanted = normalise(name);
        Field::ALL
            .into_iter()
            .find(|f| normalise(f.cli_name()) == wanted)
            .or(match wanted.as_str() {
                "upn" | "mail" | "email" => Some(Field::User),
                "country" | "location" => Some(Field::UsageLocation),
                "license" | "licenses" | "licence" | "licences" | "add" => Some(Field::AddLicenses),
                "remove" => Some(Field::RemoveLicenses),
                // "ignore" is not a field: the caller maps it to no field.
                _ => None,
            })
    }
}

/// Header names by field, normalised (lower case, accents and punctuation away). Countries
/// come after usage locations: the admin center's export has both, and the usage location is
/// the one licensing needs.
const HEADERS: &[(Field, &[&str])] = &[
    // A role template's name. Not "job title": that is what people do, not what they get.
    (
        Field::Role,
        &[
            "role",
            "license role",
            "licence role",
            "role template",
            "licensedesk role",
            "rol",
            "functie",
            "licentierol",
            "rolle",
            "lizenzrolle",
            "role de licence",
            "rol de licencia",
        ],
    ),
    (
        Field::User,
        &[
            // English, admin center ("User principal name", "User Name" in the template)
            "user principal name",
            "userprincipalname",
            "upn",
            "user name",
            "username",
            "user",
            "sign in name",
            "signin name",
            "login",
            "email",
            "e mail",
            "email address",
            "e mail address",
            "mail",
            "work email",
            "primary email",
            // Dutch
            "gebruikersnaam",
            "gebruikersprincipalnaam",
            "e mailadres",
            "emailadres",
            "gebruiker",
            // German
            "benutzername",
            "benutzerprinzipalname",
            "e mail adresse",
            "emailadresse",
            "benutzer",
            // French
            "nom d utilisateur",
            "nom utilisateur",
            "nom d utilisateur principal",
            "adresse e mail",
            "adresse mail",
            "courriel",
            "utilisateur",
            // Spanish
            "nombre de usuario",
            "nombre principal de usuario",
            "correo electronico",
            "correo",
            "usuario",
        ],
    ),
    (
        Field::UsageLocation,
        &[
            "usage location",
            "usagelocation",
            "gebruikslocatie",
            "nutzungsort",
            "verwendungsort",
            "emplacement d utilisation",
            "ubicacion de uso",
            "country",
            "country or region",
            "country region",
            "countryorregion",
            "land",
            "land of regio",
            "land regio",
            "land region",
            "pays",
            "pays ou region",
            "pays region",
            "pais",
            "pais o region",
            "pais region",
        ],
    ),
    (
        Field::AddLicenses,
        &[
            "licenses",
            "license",
            "licence",
            "licences",
            "licenses to add",
            "add licenses",
            "add license",
            "product license",
            "product licenses",
            "sku",
            "skus",
            "plan",
            "licentie",
            "licenties",
            "licentie toevoegen",
            "lizenz",
            "lizenzen",
            "lizenz hinzufugen",
            "licence s",
            "ajouter une licence",
            "licencia",
            "licencias",
            "agregar licencia",
        ],
    ),
    (
        Field::RemoveLicenses,
        &[
            "remove licenses",
            "remove license",
            "licenses to remove",
            "licentie verwijderen",
            "licenties verwijderen",
            "lizenz entfernen",
            "lizenzen entfernen",
            "supprimer la licence",
            "supprimer licence",
            "quitar licencia",
            "eliminar licencia",
        ],
    ),
    (
        Field::Action,
        &[
            "action",
            "actie",
            "aktion",
            "accion",
            "operation",
            "change",
            "wijziging",
        ],
    ),
    (
        Field::DisabledPlans,
        &[
            "disabled plans",
            "disabled service plans",
            "apps off",
            "services off",
            "uitgeschakelde apps",
            "deaktivierte apps",
            "applications desactivees",
            "aplicaciones desactivadas",
        ],
    ),
    (
        Field::Department,
        &[
            "department",
            "afdeling",
            "abteilung",
            "departement",
            "service",
            "departamento",
        ],
    ),
];

/// Lower case, accents folded, anything but letters and digits as single spaces.
pub(crate) fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            c => c,
        };
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim_end().to_string()
}

/// The field a header name stands for, if LicenseDesk knows the name.
pub fn field_of_header(header: &str) -> Option<Field> {
    let name = normalise(header);
    if name.is_empty() {
        return None;
    }
    HEADERS
        .iter()
        .find(|(_, names)| names.contains(&name.as_str()))
        .map(|(field, _)| *field)
}

/// Each column's field (`None`: not used).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Mapping {
    pub columns: Vec<Option<Field>>,
}

impl Mapping {
    /// The column holding `field`.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.columns.iter().position(|c| *c == Some(field))
    }

    /// Puts `field` on `column` (and off any other column).
    pub fn set(&mut self, column: usize, field: Option<Field>) {
        if let Some(f) = field {
            for c in &mut self.columns {
                if *c == Some(f) {
                    *c = None;
                }
            }
        }
        if let Some(slot) = self.columns.get_mut(column) {
            *slot = field;
        }
    }
}

/// The mapping the header names suggest: each field on the first column named for it, and
/// the usage location on "Usage location" before "Country" when a file has both.
pub fn suggest(headers: &[String]) -> Mapping {
    let mut columns: Vec<Option<Field>> = vec![None; headers.len()];
    for (field, names) in HEADERS {
        let mut best: Option<(usize, usize)> = None; // (rank of the name, column)
        for (column, header) in headers.iter().enumerate() {
            if columns[column].is_some() {
                continue;
            }
            let name = normalise(header);
            if let Some(rank) = names.iter().position(|n| *n == name)
                && best.is_none_or(|(r, _)| rank < r)
            {
                best = Some((rank, column));
            }
        }
        if let Some((_, column)) = best {
            columns[column] = Some(*field);
        }
    }
    Mapping { columns }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_admin_centers_export_maps_the_usage_location_not_the_country() {
        let m = suggest(&headers(&[
            "Display name",
            "User principal name",
            "Country/Region",
            "Usage location",
            "Licenses",
            "Department",
            "Alternate email address",
        ]));
        assert_eq!(
            m.columns,
            [
                None,
                Some(Field::User),
                None,
                Some(Field::UsageLocation),
                Some(Field::AddLicenses),
                Some(Field::Department),
                None
            ]
        );
    }

    #[test]
    fn dutch_german_french_and_spanish_headers() {
        for (names, user, country, license) in [
            (["Gebruikersnaam", "Afdeling", "Land", "Licentie"], 0, 2, 3),
            (["Benutzername", "Abteilung", "Land", "Lizenz"], 0, 2, 3),
            (["Adresse e-mail", "Service", "Pays", "Licence"], 0, 2, 3),
            (
                ["Correo electrónico", "Departamento", "País", "Licencia"],
                0,
                2,
                3,
            ),
        ] {
            let m = suggest(&headers(&names));
            assert_eq!(m.column(Field::User), Some(user), "{names:?}");
            assert_eq!(m.column(Field::UsageLocation), Some(country), "{names:?}");
            assert_eq!(m.column(Field::AddLicenses), Some(license), "{names:?}");
            assert_eq!(m.column(Field::Department), Some(1), "{names:?}");
        }
        assert_eq!(field_of_header("E-mailadres"), Some(Field::User));
        assert_eq!(field_of_header("Notes"), None);
    }

    #[test]
    fn the_person_moves_a_field_to_another_column() {
        let mut m = suggest(&headers(&["UPN", "Mail"]));
        assert_eq!(m.column(Field::User), Some(0));
        m.set(1, Some(Field::User));
        assert_eq!(m.columns, [None, Some(Field::User)]);
        assert_eq!(
            Field::from_cli_name("Usage-Location"),
            Some(Field::UsageLocation)
        );
        assert_eq!(Field::from_cli_name("licence"), Some(Field::AddLicenses));
    }
}
