//! State enums stored as TEXT (feature `diesel`): the store's rows carry [`crate::Groep`],
//! [`crate::Kanaal`], [`crate::BpvoStatus`] (and the scheduling crate's invitation status) as
//! real types, so a misspelt state cannot compile. The column stays TEXT on both backends; an
//! unknown stored value is a load error, never a silent default.

/// Implement diesel's TEXT mapping for a state enum with `as_str(self) -> &'static str`, parsing
/// with `$parse: fn(&str) -> Option<Self>`. The enum derives `diesel::AsExpression` and
/// `diesel::FromSqlRow` with `#[diesel(sql_type = diesel::sql_types::Text)]`; the calling crate
/// needs `diesel` as a dependency.
#[macro_export]
#[doc(hidden)]
macro_rules! text_column {
    ($ty:ty, $parse:expr) => {
        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $ty
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let stored = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, DB>>::from_sql(bytes)?;
                let parse: fn(&str) -> Option<$ty> = $parse;
                parse(&stored).ok_or_else(|| format!("unknown {} {stored:?}", stringify!($ty)).into())
            }
        }

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $ty
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
                self.as_str().to_sql(out)
            }
        }
    };
}

text_column!(crate::Groep, crate::Groep::parse);
text_column!(crate::Kanaal, crate::Kanaal::parse);
text_column!(crate::BpvoStatus, |s| crate::BpvoStatus::parse(s).ok());
