package pgerr

import (
	"errors"
	"fmt"
)

// Code is a five-character SQLSTATE.
type Code string

// SQLSTATE codes used by tsgres, named as in PostgreSQL's errcodes.txt.
const (
	SuccessfulCompletion         Code = "00000"
	Warning                      Code = "01000"
	FeatureNotSupported          Code = "0A000"
	InvalidTransactionState      Code = "25000"
	ActiveSQLTransaction         Code = "25001"
	NoActiveSQLTransaction       Code = "25P01"
	InFailedSQLTransaction       Code = "25P02"
	ReadOnlySQLTransaction       Code = "25006"
	InvalidSQLStatementName      Code = "26000"
	InvalidCursorName            Code = "34000"
	InvalidAuthorizationSpec     Code = "28000"
	InvalidPassword              Code = "28P01"
	InvalidCatalogName           Code = "3D000"
	InvalidSchemaName            Code = "3F000"
	SavepointException           Code = "3B000"
	InvalidSavepointSpec         Code = "3B001"
	DataException                Code = "22000"
	StringDataRightTruncation    Code = "22001"
	NullValueNotAllowed          Code = "22004"
	NumericValueOutOfRange       Code = "22003"
	InvalidDatetimeFormat        Code = "22007"
	DatetimeFieldOverflow        Code = "22008"
	InvalidTimeZoneDisplacement  Code = "22009"
	IntervalFieldOverflow        Code = "22015"
	DivisionByZero               Code = "22012"
	InvalidParameterValue        Code = "22023"
	InvalidTextRepresentation    Code = "22P02"
	InvalidBinaryRepresentation  Code = "22P03"
	BadCopyFileFormat            Code = "22P04"
	UntranslatableCharacter      Code = "22P05"
	InvalidEscapeSequence        Code = "22025"
	InvalidRegularExpression     Code = "2201B"
	ArraySubscriptError          Code = "2202E"
	CharacterNotInRepertoire     Code = "22021"
	InvalidJSONText              Code = "22P02"
	CardinalityViolation         Code = "21000"
	IntegrityConstraintViolation Code = "23000"
	NotNullViolation             Code = "23502"
	ForeignKeyViolation          Code = "23503"
	UniqueViolation              Code = "23505"
	CheckViolation               Code = "23514"
	SyntaxError                  Code = "42601"
	InsufficientPrivilege        Code = "42501"
	UndefinedColumn              Code = "42703"
	UndefinedFunction            Code = "42883"
	UndefinedTable               Code = "42P01"
	UndefinedObject              Code = "42704"
	UndefinedParameter           Code = "42P02"
	UndefinedPreparedStatement   Code = "26000"
	DuplicateColumn              Code = "42701"
	DuplicateDatabase            Code = "42P04"
	DuplicateObject              Code = "42710"
	DuplicateSchema              Code = "42P06"
	DuplicateTable               Code = "42P07"
	DuplicateFunction            Code = "42723"
	DuplicatePreparedStatement   Code = "42P05"
	DuplicateAlias               Code = "42712"
	AmbiguousColumn              Code = "42702"
	AmbiguousFunction            Code = "42725"
	AmbiguousParameter           Code = "42P08"
	DatatypeMismatch             Code = "42804"
	WrongObjectType              Code = "42809"
	InvalidColumnReference       Code = "42P10"
	GroupingError                Code = "42803"
	WindowingError               Code = "42P20"
	InvalidRecursion             Code = "42P19"
	InvalidForeignKey            Code = "42830"
	InvalidName                  Code = "42602"
	UndefinedTypeObject          Code = "42704"
	CannotCoerce                 Code = "42846"
	InvalidTableDefinition       Code = "42P16"
	InvalidObjectDefinition      Code = "42P17"
	ObjectInUse                  Code = "55006"
	ObjectNotInPrerequisiteState Code = "55000"
	QueryCanceled                Code = "57014"
	AdminShutdown                Code = "57P01"
	ProtocolViolation            Code = "08P01"
	ConnectionException          Code = "08000"
	TooManyConnections           Code = "53300"
	OutOfMemory                  Code = "53200"
	DiskFull                     Code = "53100"
	ProgramLimitExceeded         Code = "54000"
	StatementTooComplex          Code = "54001"
	TooManyColumns               Code = "54011"
	InvalidEscapeCharacter       Code = "22019"
	ZeroLengthCharacterString    Code = "2200F"
	DependentObjectsStillExist   Code = "2BP01"
	CantChangeRuntimeParam       Code = "55P02"
	LockNotAvailable             Code = "55P03"
	DeadlockDetected             Code = "40P01"
	SerializationFailure         Code = "40001"
	UndefinedFile                Code = "58P01"
	DuplicateCursor              Code = "42P03"
	DataCorrupted                Code = "XX001"
	Internal                     Code = "XX000"
)

// Error is an error with a SQLSTATE and the optional fields PostgreSQL
// sends in an ErrorResponse.
type Error struct {
	Code     Code
	Severity string // "ERROR" when empty
	Message  string
	Detail   string
	Hint     string
	Position int32 // 1-based character position in the query, 0 when unknown
	Where    string
	// The object an integrity or data error is about, as PostgreSQL
	// names it (clients read them: psycopg's Diagnostics, node-postgres's
	// err.constraint, pgx's PgError).
	SchemaName     string
	TableName      string
	ColumnName     string
	DataTypeName   string
	ConstraintName string
}

func (e *Error) Error() string { return e.Message }

// New returns an *Error with code and a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithDetail sets the detail field and returns e.
func (e *Error) WithDetail(format string, args ...any) *Error {
	e.Detail = fmt.Sprintf(format, args...)
	return e
}

// WithHint sets the hint field and returns e.
func (e *Error) WithHint(format string, args ...any) *Error {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

// WithTable sets the schema and table name fields and returns e.
func (e *Error) WithTable(schema, table string) *Error {
	e.SchemaName, e.TableName = schema, table
	return e
}

// WithColumn sets the column name field and returns e.
func (e *Error) WithColumn(column string) *Error {
	e.ColumnName = column
	return e
}

// WithConstraint sets the constraint name field and returns e.
func (e *Error) WithConstraint(name string) *Error {
	e.ConstraintName = name
	return e
}

// WithPosition sets the 1-based query position and returns e.
func (e *Error) WithPosition(pos int32) *Error {
	e.Position = pos
	return e
}

// Wrap keeps err's SQLSTATE (if any, else code) and prefixes its message.
func Wrap(err error, code Code, format string, args ...any) error {
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf(format, args...)
	var pe *Error
	if errors.As(err, &pe) {
		cp := *pe
		cp.Message = msg + ": " + pe.Message
		return &cp
	}
	return &Error{Code: code, Message: msg + ": " + err.Error()}
}

// As returns err's *Error, or an XX000 error holding err's text when err
// carries no SQLSTATE. The second result reports whether err had a code.
func As(err error) (*Error, bool) {
	var pe *Error
	if errors.As(err, &pe) {
		return pe, true
	}
	return &Error{Code: Internal, Message: err.Error()}, false
}

// CodeOf returns err's SQLSTATE, or XX000 when it has none.
func CodeOf(err error) Code {
	e, _ := As(err)
	return e.Code
}
