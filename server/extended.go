package server

import (
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/tsgres/tsgres/sql"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// portalInfo is what the server remembers of a bound portal: its result
// format codes (as sent in Bind) and columns, to describe and encode rows.
type portalInfo struct {
	formats []int16
	cols    []sql.Column
}

// simpleQuery runs a Query message: every statement's results, then
// ReadyForQuery whether or not it failed.
func (c *conn) simpleQuery(q string) {
	c.w.reset(false, nil, nil)
	ctx, done := c.stmtContext()
	err := c.sess.Query(ctx, q, &c.w)
	done()
	if err != nil {
		c.sendError(err)
	}
	c.readyForQuery()
}

func (c *conn) parse(m *pgproto3.Parse) error {
	ctx, done := c.stmtContext()
	defer done()
	if _, err := c.sess.Prepare(ctx, m.Name, m.Query, m.ParameterOIDs); err != nil {
		return err
	}
	c.send(&pgproto3.ParseComplete{})
	return nil
}

func checkFormats(codes []int16) error {
	for _, f := range codes {
		if f != formatText && f != formatBinary {
			return pgerr.New(pgerr.InvalidParameterValue, "unsupported format code: %d", f)
		}
	}
	return nil
}

func (c *conn) bind(m *pgproto3.Bind) error {
	if n := len(m.ParameterFormatCodes); n > 1 && n != len(m.Parameters) {
		return pgerr.New(pgerr.ProtocolViolation, "bind message has %d parameter formats but %d parameters", n, len(m.Parameters))
	}
	if err := checkFormats(m.ParameterFormatCodes); err != nil {
		return err
	}
	if err := checkFormats(m.ResultFormatCodes); err != nil {
		return err
	}
	delete(c.portals, m.DestinationPortal)

	// The message's slices alias the receive buffer, which the next
	// Receive overwrites: give the engine its own copy.
	total := 0
	for _, p := range m.Parameters {
		total += len(p)
	}
	buf := make([]byte, 0, total)
	params := make([][]byte, len(m.Parameters))
	for i, p := range m.Parameters {
		if p == nil {
			continue // NULL
		}
		buf = append(buf, p...)
		params[i] = buf[len(buf)-len(p) : len(buf) : len(buf)]
	}
	paramFormats := append([]int16(nil), m.ParameterFormatCodes...)

	ctx, done := c.stmtContext()
	err := c.sess.Bind(ctx, m.DestinationPortal, m.PreparedStatement, paramFormats, params)
	done()
	if err != nil {
		return err
	}
	cols, err := c.sess.DescribePortal(m.DestinationPortal)
	if err != nil {
		c.sess.ClosePortal(m.DestinationPortal)
		return err
	}
	if n := len(m.ResultFormatCodes); n > 1 && n != len(cols) {
		c.sess.ClosePortal(m.DestinationPortal)
		return pgerr.New(pgerr.ProtocolViolation, "bind message has %d result formats but query has %d columns", n, len(cols))
	}
	c.portals[m.DestinationPortal] = &portalInfo{
		formats: append([]int16(nil), m.ResultFormatCodes...),
		cols:    cols,
	}
	c.send(&pgproto3.BindComplete{})
	return nil
}

func (c *conn) describe(m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		p, err := c.sess.DescribeStatement(m.Name)
		if err != nil {
			return err
		}
		oids := make([]uint32, len(p.ParamTypes))
		for i, t := range p.ParamTypes {
			oids[i] = t.OID
		}
		c.send(&pgproto3.ParameterDescription{ParameterOIDs: oids})
		if p.Columns == nil {
			c.send(&pgproto3.NoData{})
		} else {
			// Result formats are unknown until Bind: describe as text.
			c.send(rowDescription(p.Columns, nil))
		}
	case 'P':
		cols, err := c.sess.DescribePortal(m.Name)
		if err != nil {
			return err
		}
		if cols == nil {
			c.send(&pgproto3.NoData{})
			return nil
		}
		var formats []int16
		if pi := c.portals[m.Name]; pi != nil {
			formats = pi.formats
		}
		c.send(rowDescription(cols, formats))
	default:
		return pgerr.New(pgerr.ProtocolViolation, "invalid DESCRIBE message subtype %d", m.ObjectType)
	}
	return nil
}

func (c *conn) execute(m *pgproto3.Execute) error {
	var formats []int16
	var cols []sql.Column
	if pi := c.portals[m.Portal]; pi != nil {
		formats, cols = pi.formats, pi.cols
	}
	c.w.reset(true, formats, cols)
	maxRows := int(m.MaxRows)
	if maxRows < 0 { // 32-bit platforms: a count above MaxInt32
		maxRows = 0
	}
	ctx, done := c.stmtContext()
	suspended, err := c.sess.Execute(ctx, m.Portal, maxRows, &c.w)
	done()
	if err != nil {
		return err
	}
	if suspended {
		c.send(&pgproto3.PortalSuspended{})
	}
	return nil
}

func (c *conn) closeObject(m *pgproto3.Close) error {
	switch m.ObjectType {
	case 'S':
		c.sess.CloseStatement(m.Name)
	case 'P':
		c.sess.ClosePortal(m.Name)
		delete(c.portals, m.Name)
	default:
		return pgerr.New(pgerr.ProtocolViolation, "invalid CLOSE message subtype %d", m.ObjectType)
	}
	c.send(&pgproto3.CloseComplete{})
	return nil
}

// sync ends an extended-protocol batch: the engine ends its implicit
// transaction, then ReadyForQuery.
func (c *conn) sync() {
	ctx, done := c.stmtContext()
	err := c.sess.Sync(ctx)
	done()
	if err != nil {
		c.sendError(err)
	}
	if c.sess.TxStatus() == 'I' {
		// Portals do not outlive their transaction.
		clear(c.portals)
	}
	c.readyForQuery()
}
